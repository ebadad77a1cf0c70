package org.crmbulk.worker.work;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.contract.SendJobV1;

/**
 * The lifecycle every kind of mail work shares: a lease that says who drives it, renewed while it runs,
 * released when it stops, and taken over when it lapses. Work is open while its status says a worker
 * should drive it (a launch QUEUED or RUNNING, a mail job or test send QUEUED or SENDING).
 */
public interface WorkStore {

    /** Takes or renews the lease on open work; false when another live worker holds it, it waits for a later time, or it is not open. */
    boolean acquire(WorkRef work, String owner, Duration lease);

    /**
     * Renews the leases this owner holds, and its claims on the deliveries of those and of the work it helps with (a
     * message may wait minutes for the relay's final reply; a live worker's claim must not lapse meanwhile); returns
     * the work whose lease it still holds.
     */
    Set<WorkRef> renew(Collection<WorkRef> held, Collection<WorkRef> helped, String owner, Duration lease, Duration claimLease);

    /** Gives the lease up; with {@code wakeAt}, nobody needs to take the work before then (it waits for a retry). */
    void release(WorkRef work, String owner, Optional<Instant> wakeAt);

    /**
     * Open work nobody holds a lease on becomes due now, as a release with a wake-up time that came leaves it: the next
     * sweep of any live worker starts it; true then. Work with a lease (live, lapsed or waiting for its wake-up), or not
     * open, is left as it is.
     */
    boolean handBack(WorkRef work);

    /** Scheduled launches whose time has come become QUEUED; returns them. */
    List<WorkRef> wakeScheduled(int limit);

    /**
     * Open work of this kind nobody drives: its lease lapsed (the worker died) or its wake-up time came,
     * it was started and released, or it stayed queued past {@code queuedGrace} (its Kafka job is late or lost).
     */
    List<WorkRef> unattended(SendJobV1.Kind kind, Duration queuedGrace, int limit);

    /**
     * Running launches another live worker drives with at least {@code minDue} deliveries due now: a worker with
     * free capacity can claim some of them too, while the lease holder keeps expanding and completing them.
     */
    List<WorkRef> helpWanted(String owner, int minDue, int limit);
}
