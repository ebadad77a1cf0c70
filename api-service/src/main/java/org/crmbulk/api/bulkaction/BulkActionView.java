package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.attachment.Attachments;

/** A bulk action with its current content; {@code version} is the content version a launch now would freeze. */
public record BulkActionView(long id, String name, int version, String from, String fromName, String replyTo, String subject,
        String textBody, String htmlBody, BulkActionRequest.ActivityOption activity, List<Attachments.View> attachments,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public record Page(List<BulkActionView> items, Long nextAfter) {
    }

    static BulkActionView of(BulkAction a, BulkActionVersion v, List<Attachments.View> attachments) {
        return new BulkActionView(a.id, a.name, v.version, v.fromAddress, v.fromName, v.replyTo, v.subjectTemplate,
                v.textTemplate, v.htmlTemplate, ContentVersion.activity(v), attachments, a.createdAt, a.updatedAt);
    }
}
