package org.crmbulk.worker.config;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "mail.delivery")
public interface DeliveryConfig {

    /** Deliveries claimed and sent together; also the most that can be in flight at a crash. */
    @WithDefault("50")
    int batchSize();

    /** Attempts before a temporary failure becomes FAILED. */
    @WithDefault("5")
    int maxAttempts();

    /** First retry delay; doubled per attempt, with jitter, up to {@link #maxRetryDelay()}. */
    @WithDefault("10s")
    Duration retryDelay();

    @WithDefault("10m")
    Duration maxRetryDelay();

    /** Temporary failures in a row (no message accepted between them) after which the launch pauses itself. */
    @WithDefault("50")
    int pauseAfterConsecutiveFailures();

    /** Work (a launch, a mail job, a test send) whose driving worker stops renewing this lease is taken over by another. */
    @WithDefault("30s")
    Duration workLease();

    /**
     * How often each worker looks for work nobody drives; work with nothing due before the next sweep gives
     * its lease up until then.
     */
    @WithDefault("10s")
    Duration sweepInterval();

    /**
     * How often a worker with a free launch slot looks for running launches other workers drive that have work
     * to share (at least a batch per loop due), and helps send them.
     */
    @WithDefault("1s")
    Duration helpInterval();

    /** Work still QUEUED and unleased after this is started by the sweep, Kafka job or not. */
    @WithDefault("60s")
    Duration queuedGrace();

    /** How often a worker renews the leases of all the work it drives. */
    @WithDefault("5s")
    Duration heartbeatInterval();

    /** A delivery whose claim its worker stopped renewing this long ago (it died mid-send) is resent (same Message-ID) and counted. */
    @WithDefault("2m")
    Duration claimLease();

    /** Connecting to the relay, or a reply to a command other than the message's final dot, taking longer is a temporary failure. */
    @WithDefault("60s")
    Duration sendTimeout();

    /**
     * How long the final reply after a message's dot is waited for: RFC 5321 4.5.3.2.6 says 10 minutes, for the
     * relay may be checking the message. Past it the message is retried and counted as a possible duplicate.
     */
    @WithDefault("10m")
    Duration dataEndTimeout();

    /** Claim-send-record loops per launch in one worker: more keep the SMTP connections busy during database round trips. */
    @WithDefault("2")
    int loopsPerLaunch();

    /** Launches one worker drives at once. */
    @WithDefault("4")
    int maxConcurrentLaunches();

    /** Mail jobs one worker sends at once, and as many test sends: slots of their own, so they never wait behind launches. */
    @WithDefault("8")
    int maxConcurrentJobs();

    /** Recipients of one BULK message at most; RFC 5321 guarantees 100 to every relay. */
    @WithDefault("100")
    int maxRecipientsPerMessage();

    /** A temporary failure older than this (since the first attempt) is not retried again: FAILED. */
    @WithDefault("24h")
    Duration maxRetryAge();

    /** Messages per second through the relay, over all worker replicas together; unlimited when unset. */
    OptionalInt ratePerSecond();

    /** Messages per hour through the relay, over all worker replicas together; unlimited when unset. */
    OptionalInt ratePerHour();

    /** Domain of generated Message-IDs; the sender's domain when not set. */
    Optional<String> messageIdDomain();

    /** How long shutdown waits for in-flight batches to be recorded. */
    @WithDefault("15s")
    Duration shutdownGrace();
}
