package org.crmbulk.worker.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The worker's view of the database: every state change of launches and deliveries goes through here. */
public interface LaunchStore {

    /** Takes or renews the launch's lease; false when another live worker holds it or the launch is final. */
    boolean acquireLease(long launchId, String owner, Duration lease);

    /** Renews the leases this owner holds; returns the launches whose lease it still holds. */
    Set<Long> renewLeases(Collection<Long> launchIds, String owner, Duration lease);

    void releaseLease(long launchId, String owner);

    /** QUEUED → RUNNING: one delivery per unique address over all the launch's lists; does nothing otherwise. */
    void expandIfQueued(long launchId);

    Optional<LaunchContent> content(long launchId);

    /** Whether deliveries may be sent now: false once the launch is paused, cancelled or finished. */
    boolean isRunning(long launchId);

    /** SCHEDULED launches whose time has come become QUEUED; returns them. */
    List<Long> releaseDueScheduled(int limit);

    /** Claims due deliveries, only while the launch is RUNNING (a pause or cancel waits for the claim, or the claim for it). */
    List<ClaimedDelivery> claim(long launchId, String owner, int limit, Duration claimLease, String messageIdDomain);

    /** Records outcomes and moves counters in one transaction; a SENT delivery gets its CRM activity there too when asked. */
    void record(LaunchContent content, String owner, List<Outcome> outcomes);

    /** RUNNING → PAUSED with the reason, when the relay keeps failing: better than burning through the list. */
    void pauseForRelay(long launchId, String reason);

    /** When claimable work may next appear (a retry time, a claim running out); empty when nothing is pending. */
    Optional<Instant> nextWork(long launchId);

    /** RUNNING → COMPLETED or COMPLETED_WITH_ERRORS, only when no delivery is pending; true when final. */
    boolean completeIfDone(long launchId);

    /**
     * Launches nobody drives: their lease ran out (the worker died or shut down), or they stayed
     * QUEUED past {@code queuedGrace} without any worker taking them (their Kafka job is late or lost).
     */
    List<Long> abandonedLaunches(Duration queuedGrace, int limit);
}
