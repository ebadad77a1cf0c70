package org.crmbulk.worker.launch;

import java.time.Instant;

/** What became of one claimed delivery. */
public record Outcome(long deliveryId, Kind kind, String reply, Instant retryAt) {

    public enum Kind {
        SENT, RETRY, FAILED
    }

    public static Outcome sent(long id, String reply) {
        return new Outcome(id, Kind.SENT, reply, null);
    }

    public static Outcome retry(long id, String reply, Instant at) {
        return new Outcome(id, Kind.RETRY, reply, at);
    }

    public static Outcome failed(long id, String reply) {
        return new Outcome(id, Kind.FAILED, reply, null);
    }
}
