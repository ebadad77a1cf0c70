package org.crmbulk.worker.launch;

import java.time.Instant;
import java.util.Map;

/**
 * A delivery this worker has claimed and must send. {@code reclaimed} is true when an earlier
 * claim ran out without an outcome: the message may already have reached the relay.
 */
public record ClaimedDelivery(long id, String email, String messageId, int attempts, boolean reclaimed,
        Map<String, Object> contact, Instant firstAttemptAt) {
}
