package org.crmbulk.contract;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A unit of mail work handed from api-service to mail-worker. The job names what to send, never
 * the recipients: the worker reads them from PostgreSQL, so the message stays small whatever the list size.
 *
 * @param jobId      unique per job; consumers use it to skip a job they already finished
 * @param kind       what {@code targetId} points at
 * @param targetId   the launch ID for {@link Kind#LAUNCH}, the test send's for {@link Kind#TEST_SEND}, the mail
 *                   job's for {@link Kind#ACTIVITY_MAIL}
 * @param enqueuedAt when the job was written to the outbox
 */
public record SendJobV1(UUID jobId, Kind kind, long targetId, Instant enqueuedAt) {

    public enum Kind {
        /** Expand a launch of a bulk action into deliveries and send them. */
        LAUNCH,
        /** Send a bulk action to the few addresses of a test send, and record the relay's answers. */
        TEST_SEND,
        /** Send the mail job of an activity's mail task (INDIVIDUAL or BULK mode). */
        ACTIVITY_MAIL
    }

    public SendJobV1 {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    }

    public static SendJobV1 launch(long launchId) {
        return new SendJobV1(UUID.randomUUID(), Kind.LAUNCH, launchId, Instant.now());
    }

    public static SendJobV1 testSend(long testSendId) {
        return new SendJobV1(UUID.randomUUID(), Kind.TEST_SEND, testSendId, Instant.now());
    }

    public static SendJobV1 activityMail(long mailJobId) {
        return new SendJobV1(UUID.randomUUID(), Kind.ACTIVITY_MAIL, mailJobId, Instant.now());
    }

    /** Kafka record key: all jobs of one target land on one partition, in order. */
    public String key() {
        return kind.name().toLowerCase().replace('_', '-') + "-" + targetId;
    }
}
