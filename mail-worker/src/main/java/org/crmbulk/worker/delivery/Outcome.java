package org.crmbulk.worker.delivery;

import java.time.Instant;

/**
 * What became of one claimed delivery: {@code subject} is what the recipient got (for its activity),
 * {@code messageId} the Message-ID of the message that carried it; {@code mayHaveArrived} when the relay may
 * have the message although it never said so (no reply after the dot): its retry is a possible duplicate.
 */
public record Outcome(long deliveryId, Kind kind, String reply, Instant retryAt, String subject, String messageId,
        boolean mayHaveArrived) {

    public enum Kind {
        SENT, RETRY, FAILED, SKIPPED,
        /** Never handed to the relay (its rate window passed first, or no session was free): back to PENDING, no attempt counted. */
        NOT_SENT
    }

    public static Outcome sent(ClaimedDelivery d, String reply, String subject, String messageId) {
        return new Outcome(d.id(), Kind.SENT, reply, null, subject, messageId, false);
    }

    public static Outcome retry(ClaimedDelivery d, String reply, Instant at, String messageId, boolean mayHaveArrived) {
        return new Outcome(d.id(), Kind.RETRY, reply, at, null, messageId, mayHaveArrived);
    }

    public static Outcome failed(ClaimedDelivery d, String reply, String messageId) {
        return new Outcome(d.id(), Kind.FAILED, reply, null, null, messageId, false);
    }

    public static Outcome skipped(ClaimedDelivery d, String reason) {
        return new Outcome(d.id(), Kind.SKIPPED, reason, null, null, null, false);
    }

    public static Outcome notSent(ClaimedDelivery d) {
        return new Outcome(d.id(), Kind.NOT_SENT, null, null, null, null, false);
    }
}
