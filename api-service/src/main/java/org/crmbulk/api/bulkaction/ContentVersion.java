package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.attachment.Attachments;

/** One immutable content version of a bulk action: exactly what a launch (or test send) that took it sends. */
public record ContentVersion(long bulkActionId, int version, String from, String fromName, String replyTo, String subject,
        String textBody, String htmlBody, BulkActionRequest.ActivityOption activity, List<Attachments.View> attachments,
        OffsetDateTime createdAt, String createdBy) {

    static ContentVersion of(BulkActionVersion v, List<Attachments.View> attachments) {
        return new ContentVersion(v.bulkActionId, v.version, v.fromAddress, v.fromName, v.replyTo, v.subjectTemplate,
                v.textTemplate, v.htmlTemplate, activity(v), attachments, v.createdAt, v.createdBy);
    }

    static BulkActionRequest.ActivityOption activity(BulkActionVersion v) {
        return new BulkActionRequest.ActivityOption(v.createActivity, v.activityType, v.activityOwner, v.activityOwnerUserId);
    }
}
