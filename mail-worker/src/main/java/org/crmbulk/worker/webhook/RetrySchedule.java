package org.crmbulk.worker.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is tried again: exponential backoff from the base, capped, with "equal jitter" (half fixed,
 * half random) so that many deliveries failed together do not return together; none after the maximum age.
 */
public record RetrySchedule(Duration base, Duration max, Duration maxAge) {

    /** The next attempt after the given number of attempts failed, or empty when the delivery is dead. */
    public Optional<Instant> next(int failedAttempts, Instant eventCreated, Instant now, DoubleSupplier random) {
        long backoff = base.toMillis() << Math.min(Math.max(failedAttempts - 1, 0), 30);
        long capped = Math.min(Math.max(backoff, 0), max.toMillis());
        long delay = capped / 2 + (long) (random.getAsDouble() * (capped / 2.0));
        Instant next = now.plusMillis(delay);
        return next.isAfter(eventCreated.plus(maxAge)) ? Optional.empty() : Optional.of(next);
    }
}
