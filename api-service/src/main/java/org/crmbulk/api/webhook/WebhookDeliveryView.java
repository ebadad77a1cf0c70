package org.crmbulk.api.webhook;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One event for one subscription: {@code webhookId} is the {@code webhook-id} header of every attempt (the CloudEvent's
 * ID); PENDING ones show when the next attempt is due, DELIVERED and DEAD ones when they finished and the last answer.
 */
public record WebhookDeliveryView(long id, String webhookId, String type, String subject, String status, boolean replay, int attempts,
        OffsetDateTime createdAt, OffsetDateTime lastAttemptAt, OffsetDateTime nextAttemptAt, Integer lastStatus, String lastAnswer,
        OffsetDateTime finishedAt) {

    public record Page(List<WebhookDeliveryView> items, Long nextBefore) {
    }

    /** A replay's range: events from {@code from} (inclusive) to {@code to} (exclusive, default now). */
    public record ReplayRequest(@jakarta.validation.constraints.NotNull OffsetDateTime from, OffsetDateTime to) {
    }

    public record Replayed(long subscriptionId, int deliveries) {
    }
}
