package org.crmbulk.worker.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.crmbulk.worker.work.WorkRef;

/**
 * The deliveries of every kind of work, and the status changes sending makes. Every method is one
 * short transaction and throws {@link org.crmbulk.worker.work.StoreException} when the store cannot answer.
 */
public interface DeliveryStore {

    /**
     * Starts queued work (QUEUED to RUNNING or SENDING; a launch makes its deliveries here, one per address over
     * all its lists, or the first chunk of them with the rest left to {@link #expandRest}) and returns what its
     * messages are made from; empty when the work does not exist. Work already started or no longer open is left as it is.
     */
    Optional<MailContent> begin(WorkRef work);

    /** What the messages of work another worker started are made from, for helping with it; empty unless it is sending. */
    Optional<MailContent> content(WorkRef work);

    /**
     * Claims up to {@code limit} due deliveries (PENDING and due, or SENDING whose claim ran out: those are
     * {@code reclaimed} and counted), in their order, only while the work is sending; a pause or cancel waits
     * for the claim, or the claim for it. A delivery gets its Message-ID from {@code ids} at its first claim.
     */
    List<ClaimedDelivery> claim(WorkRef work, String owner, int limit, Duration claimLease, MessageIds ids);

    /**
     * Records outcomes of this owner's live claims (a claim another worker took over is theirs), moves the
     * work's counters and makes the CRM activity of each SENT delivery the content asks for, in one transaction.
     */
    void record(WorkRef work, MailContent content, String owner, List<Outcome> outcomes);

    /**
     * Makes the deliveries a large launch's {@link #begin} left for later (it made the first chunk, so sending starts at
     * once), correcting its counters to the rows; nothing for other work or when nothing is left. Safe to call from
     * any loop or worker at any time: one at a time makes them, the others find them made.
     */
    void expandRest(WorkRef work);

    /**
     * Where the work stands once nothing was claimable: still {@code expanding} (its deliveries are being made: make them,
     * then look again), stopped by someone, finished now, or when to look again.
     */
    record Settlement(boolean stopped, boolean finished, Optional<Instant> next, boolean expanding) {
    }

    /**
     * In one transaction: whether the work may still send (not once paused, cancelled or finished), its final
     * status once no delivery is open (with errors when one failed), else when to look again: a retry time, or within a
     * second while another claim is in flight (another loop's or a helping worker's, recorded soon or running out).
     */
    Settlement settle(WorkRef work);

    /**
     * Stops work the relay keeps refusing: a launch becomes PAUSED with the reason, for a person to resume;
     * returns false for work nobody resumes by hand (it waits for its deliveries' retry times instead).
     */
    boolean pause(WorkRef work, String reason);
}
