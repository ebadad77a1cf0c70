package org.crmbulk.worker.smtp;

import java.time.Duration;
import java.time.Instant;

/** Permission to hand messages to the relay within its rate limit, shared by every worker replica. */
public interface RelayPermits {

    /** What {@link #reserve} granted, until when (this machine's clock) it may be used, and when to ask again if nothing. */
    record Grant(int permits, Duration retryIn, Instant validUntil) {

        public static Grant unlimited(int permits) {
            return new Grant(permits, Duration.ZERO, Instant.MAX);
        }

        /** Whether a message may still be handed to the relay under this grant. */
        public boolean valid() {
            return Instant.now().isBefore(validUntil);
        }
    }

    /** Takes up to {@code wanted} permits from the current windows; none (and when to ask again) when they are used up. */
    Grant reserve(int wanted);

    /** Gives back permits reserved but not used, while their windows are still open. */
    void release(int unused);
}
