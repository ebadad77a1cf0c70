package org.crmbulk.worker.delivery;

import java.time.Instant;

/**
 * What became of one claimed delivery: {@code subject} is what the recipient got (for its activity),
 * {@code messageId} the Message-ID of the message that carried it.
 */
public record Outcome(long deliveryId, Kind kind, String reply, Instant retryAt, String subject, String messageId) {

    public enum Kind {
        SENT, RETRY, FAILED, SKIPPED,
        /** Never handed to the relay (its rate window passed first): back to PENDING, no attempt counted. */
        NOT_SENT
    }

    public static Outcome sent(ClaimedDelivery d, String reply, String subject, String messageId) {
        return new Outcome(d.id(), Kind.SENT, reply, null, subject, messageId);
    }

    public static Outcome retry(ClaimedDelivery d, String reply, Instant at, String messageId) {
        return new Outcome(d.id(), Kind.RETRY, reply, at, null, messageId);
    }

    public static Outcome failed(ClaimedDelivery d, String reply, String messageId) {
        return new Outcome(d.id(), Kind.FAILED, reply, null, null, messageId);
    }

    public static Outcome skipped(ClaimedDelivery d, String reason) {
        return new Outcome(d.id(), Kind.SKIPPED, reason, null, null, null);
    }

    public static Outcome notSent(ClaimedDelivery d) {
        return new Outcome(d.id(), Kind.NOT_SENT, null, null, null, null);
    }
}
