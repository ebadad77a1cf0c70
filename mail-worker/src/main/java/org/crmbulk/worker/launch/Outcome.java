package org.crmbulk.worker.launch;

import java.time.Instant;

/** What became of one claimed delivery; {@code subject} is what the recipient got, for its activity. */
public record Outcome(long deliveryId, Kind kind, String reply, Instant retryAt, String subject) {

    public enum Kind {
        SENT, RETRY, FAILED, SKIPPED,
        /** Never handed to the relay (its rate window passed first): claimed back to PENDING, no attempt counted. */
        NOT_SENT
    }

    public static Outcome sent(long id, String reply, String subject) {
        return new Outcome(id, Kind.SENT, reply, null, subject);
    }

    public static Outcome retry(long id, String reply, Instant at) {
        return new Outcome(id, Kind.RETRY, reply, at, null);
    }

    public static Outcome failed(long id, String reply) {
        return new Outcome(id, Kind.FAILED, reply, null, null);
    }

    public static Outcome notSent(long id) {
        return new Outcome(id, Kind.NOT_SENT, null, null, null);
    }

    public static Outcome skipped(long id, String reason) {
        return new Outcome(id, Kind.SKIPPED, reason, null, null);
    }
}
