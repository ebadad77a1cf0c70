package org.crmbulk.api.launch;

import java.time.OffsetDateTime;

/** One recipient of a launch; {@code bounce} (HARD or SOFT) and {@code complainedAt}: what came back after it was sent. */
public record DeliveryView(long id, Long contactId, String email, String status, int attempts, String lastReply,
        String messageId, boolean possibleDuplicate, OffsetDateTime sentAt, Long activityId, String bounce, String bounceDiagnostic,
        OffsetDateTime bouncedAt, OffsetDateTime complainedAt) {
}
