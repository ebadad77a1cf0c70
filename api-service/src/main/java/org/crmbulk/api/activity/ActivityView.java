package org.crmbulk.api.activity;

import java.time.OffsetDateTime;
import java.util.List;

public record ActivityView(long id, String type, String subject, String body, String bodyHtml, OffsetDateTime startsAt,
        String status, Long contactId, Long ownerUserId, Long launchId, List<Long> responsibleUserIds,
        List<ActivityRequest.Party> participants, List<ActivityRequest.Party> cc, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    public record Page(List<ActivityView> items, Long nextBefore) {
    }
}
