package org.crmbulk.worker.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.smtp.SendResult;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one delivery policy, for every kind of work: the relay's answer, the attempts made and the age of
 * the first one decide SENT, RETRY at a time, or FAILED; and a run of temporary answers stops the work.
 * A test send makes one attempt: it answers with the relay's first word.
 */
@ApplicationScoped
public class DeliveryPolicy {

    private final DeliveryConfig config;

    public DeliveryPolicy(DeliveryConfig config) {
        this.config = config;
    }

    /**
     * SENT; FAILED at once on 5xx; on 4xx retried later until the attempts or the age run out; not attempted (the
     * relay's session limit) is put back without counting. A retry after a message whose reply never came may
     * be a second copy: the outcome says so, to be counted.
     */
    public Outcome outcome(SendJobV1.Kind kind, ClaimedDelivery d, SendResult result, String subject, String messageId, Instant now) {
        return switch (result.kind()) {
            case ACCEPTED -> Outcome.sent(d, result.reply(), subject, messageId);
            case PERMANENT -> Outcome.failed(d, result.reply(), messageId);
            case NOT_ATTEMPTED -> Outcome.notSent(d);
            case TEMPORARY -> d.attempts() >= maxAttempts(kind)
                    ? Outcome.failed(d, d.attempts() == 1 ? result.reply() : "gave up after " + d.attempts() + " attempts: " + result.reply(), messageId)
                    : d.firstAttemptAt().plus(config.maxRetryAge()).isBefore(now)
                    ? Outcome.failed(d, "gave up after " + config.maxRetryAge() + " of retries: " + result.reply(), messageId)
                    : Outcome.retry(d, result.reply(), now.plus(backoff(d.attempts())), messageId, result.afterDot());
        };
    }

    int maxAttempts(SendJobV1.Kind kind) {
        return kind == SendJobV1.Kind.TEST_SEND ? 1 : config.maxAttempts();
    }

    /** Exponential backoff with full jitter in its upper half, so retries of a batch spread out. */
    Duration backoff(int attempts) {
        long base = config.retryDelay().toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        long capped = Math.min(base, config.maxRetryDelay().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    /** A fresh count of temporary answers in a row, for one run of one piece of work (over all its send loops). */
    public PauseRule pauseRule() {
        return new PauseRule(config.pauseAfterConsecutiveFailures());
    }

    /**
     * Temporary relay answers in a row with none accepted between them; past the threshold the work stops
     * (a launch pauses for a person to resume): better than burning through the list against a failing relay.
     */
    public static final class PauseRule {
        private final int threshold;
        private final AtomicInteger inARow = new AtomicInteger();

        PauseRule(int threshold) {
            this.threshold = threshold;
        }

        /** Counts one relay answer; returns the reason to stop once the threshold is reached, else null. */
        public String observe(SendResult answer) {
            if (answer.kind() == SendResult.Kind.ACCEPTED) {
                inARow.set(0);
                return null;
            }
            if (answer.kind() != SendResult.Kind.TEMPORARY) {
                return null; // a 5xx is the recipient's, not the relay's trouble; no session free is back-pressure
            }
            int n = inARow.incrementAndGet();
            return n >= threshold ? n + " temporary failures in a row, the last: " + answer.reply() : null;
        }
    }
}
