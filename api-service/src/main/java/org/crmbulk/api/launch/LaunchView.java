package org.crmbulk.api.launch;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A launch as its history shows it. Counters equal the launch's deliveries by status; {@code pending}
 * includes deliveries being sent right now.
 */
public record LaunchView(long id, long bulkActionId, List<Long> listIds, String status, String pauseReason, Counters counters,
        int possibleDuplicates, String launchedBy, Long launchedByUserId, String statusChangedBy, OffsetDateTime scheduledAt,
        OffsetDateTime createdAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {

    public record Page(List<LaunchView> items, Long nextBefore) {
    }

    public record Counters(int total, int pending, int sent, int failed, int skipped, int cancelled) {
    }

    static LaunchView of(Launch l, List<Long> listIds) {
        return new LaunchView(l.id, l.bulkActionId, listIds, l.status, l.pauseReason,
                new Counters(l.total, l.pending, l.sent, l.failed, l.skipped, l.cancelled), l.possibleDuplicates,
                l.launchedBy, l.launchedByUserId, l.statusChangedBy, l.scheduledAt, l.createdAt, l.startedAt, l.finishedAt);
    }
}
