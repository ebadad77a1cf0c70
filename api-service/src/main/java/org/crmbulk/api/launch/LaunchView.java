package org.crmbulk.api.launch;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A launch as its history shows it: the content version it froze ({@code GET /launches/{id}/content} shows
 * it) and its lists as they were named when it was accepted. Counters equal the launch's deliveries by
 * status; {@code pending} includes deliveries being sent right now.
 */
public record LaunchView(long id, long bulkActionId, int contentVersion, List<Long> listIds, List<ListRef> lists, String status,
        String pauseReason, Counters counters, int possibleDuplicates, String launchedBy, Long launchedByUserId,
        String statusChangedBy, OffsetDateTime scheduledAt, OffsetDateTime createdAt, OffsetDateTime startedAt,
        OffsetDateTime finishedAt) {

    public record Page(List<LaunchView> items, Long nextBefore) {
    }

    /** By delivery status (they add up to total); then, of the sent, those that bounced later and those complained about. */
    public record Counters(int total, int pending, int sent, int failed, int skipped, int cancelled, int bounced, int complained) {
    }

    /** A list the launch went over, with the name it had then (the list may since be renamed or deleted). */
    public record ListRef(long id, String name) {
    }

    static LaunchView of(Launch l, int contentVersion, List<ListRef> lists) {
        return new LaunchView(l.id, l.bulkActionId, contentVersion, lists.stream().map(ListRef::id).toList(), lists, l.status,
                l.pauseReason, new Counters(l.total, l.pending, l.sent, l.failed, l.skipped, l.cancelled, l.bounced,
                        l.complained), l.possibleDuplicates,
                l.launchedBy, l.launchedByUserId, l.statusChangedBy, l.scheduledAt, l.createdAt, l.startedAt, l.finishedAt);
    }
}
