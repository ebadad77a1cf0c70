package org.crmbulk.api.webhook;

import java.time.OffsetDateTime;
import java.util.List;

/** A subscription as callers see it; {@code secret} only in the answer that set it. */
public record WebhookView(long id, String url, List<String> eventTypes, boolean active, String description, String createdBy,
        OffsetDateTime createdAt, OffsetDateTime updatedAt, String secret) {

    static WebhookView of(WebhookSubscription s, boolean withSecret) {
        return new WebhookView(s.id, s.url, List.of(s.eventTypes), s.active, s.description, s.createdBy, s.createdAt, s.updatedAt,
                withSecret ? s.secret : null);
    }

    public record Page(List<WebhookView> items, Long nextAfter) {
    }
}
