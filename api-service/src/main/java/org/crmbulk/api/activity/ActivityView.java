package org.crmbulk.api.activity;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.attachment.Attachments;

public record ActivityView(long id, String type, String subject, String body, String bodyHtml, OffsetDateTime startsAt,
        String status, Long contactId, Long ownerUserId, Long launchId, List<Long> responsibleUserIds,
        List<ActivityRequest.Party> participants, List<ActivityRequest.Party> cc, List<Attachments.View> attachments,
        OffsetDateTime createdAt, OffsetDateTime updatedAt, List<MailOutcome> mailOutcomes) {

    /**
     * What came back for a message of this activity after it was sent (its launch delivery, or its mail tasks' recipients):
     * {@code outcome} HARD_BOUNCE, SOFT_BOUNCE or COMPLAINT.
     */
    public record MailOutcome(long deliveryId, String email, String outcome, String diagnostic, OffsetDateTime at) {
    }

    public record Page(List<ActivityView> items, Long nextBefore) {
    }
}
