package org.crmbulk.api.launch;

import java.time.OffsetDateTime;

public record DeliveryView(long id, Long contactId, String email, String status, int attempts, String lastReply,
        String messageId, boolean possibleDuplicate, OffsetDateTime sentAt, Long activityId) {
}
