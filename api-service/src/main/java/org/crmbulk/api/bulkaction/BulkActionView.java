package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;
import java.util.List;

public record BulkActionView(long id, String name, String from, String replyTo, String subject, String textBody,
        String htmlBody, BulkActionRequest.ActivityOption activity, List<AttachmentView> attachments,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public record AttachmentView(long id, String filename, String contentType, int sizeBytes, String sha256) {
    }

    public record Page(List<BulkActionView> items, Long nextAfter) {
    }

    static BulkActionView of(BulkAction a, List<AttachmentView> attachments) {
        return new BulkActionView(a.id, a.name, a.fromAddress, a.replyTo, a.subjectTemplate, a.textTemplate, a.htmlTemplate,
                new BulkActionRequest.ActivityOption(a.createActivity, a.activityType, a.activityOwner, a.activityOwnerUserId),
                attachments, a.createdAt, a.updatedAt);
    }
}
