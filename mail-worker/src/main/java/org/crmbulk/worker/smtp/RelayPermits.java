package org.crmbulk.worker.smtp;

import java.time.Duration;
import java.time.Instant;

/** Permission to hand messages to the relay within its rate limit, shared by every worker replica. */
public interface RelayPermits {

    /**
     * What {@link #reserve} granted, until when (this machine's clock) it may be used, when to ask again if nothing, and
     * the windows it was taken from (the database's clock; null when unlimited), which unused permits go back to.
     */
    record Grant(int permits, Duration retryIn, Instant validUntil, Instant second, Instant hour) {

        public static Grant unlimited(int permits) {
            return new Grant(permits, Duration.ZERO, Instant.MAX, null, null);
        }

        public static Grant none(Duration retryIn) {
            return new Grant(0, retryIn, Instant.now(), null, null);
        }

        /** Whether a message may still be handed to the relay under this grant. */
        public boolean valid() {
            return Instant.now().isBefore(validUntil);
        }
    }

    /** Takes up to {@code wanted} permits from the current windows; none (and when to ask again) when they are used up. */
    Grant reserve(int wanted);

    /**
     * Gives back permits of this grant that no message used (nothing was due, or the message was never handed to the
     * relay), to the windows they were taken from: an hour's permit is not lost because its second ran out.
     */
    void release(Grant grant, int unused);
}
