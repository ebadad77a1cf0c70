package org.crmbulk.api.consent;

import java.time.OffsetDateTime;

/** One suppression entry; {@code listId} null: all marketing mail. */
public record SuppressionView(long id, String email, Long listId, String reason, String source, Long launchId, Long deliveryId,
        String actor, OffsetDateTime createdAt) {
}
