package org.crmbulk.api.bounce;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A returned message as received and, once mail-worker read it ({@code processedAt}), what it is: BOUNCE, DELAY,
 * COMPLAINT, UNSUBSCRIBE (a recipient's mail to a {@code mailto:} unsubscribe address) or UNCLASSIFIED, in which
 * format, and each recipient it speaks of with the delivery it was linked to.
 */
public record InboundReportView(long id, String source, OffsetDateTime receivedAt, OffsetDateTime processedAt, String kind, String format,
        List<Recipient> recipients) {

    /** {@code deliveryId} null: neither its return path nor its Message-ID named one of ours. */
    public record Recipient(Long deliveryId, String address, String bounceClass, String status, String diagnostic) {
    }
}
