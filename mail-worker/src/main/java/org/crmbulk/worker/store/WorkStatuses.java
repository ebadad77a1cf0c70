package org.crmbulk.worker.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.consent.ErasureKey;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.contract.status.Transition;
import org.crmbulk.contract.status.WorkStatus;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.work.WorkRef;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The status changes sending makes to each kind of work, and a launch's counters: the only part of the
 * worker's SQL that differs by kind. Every change is a {@link Transition} the status enums allow.
 */
@ApplicationScoped
public class WorkStatuses {

    private final ErasureKey erasureKey;

    public WorkStatuses(ErasureKey erasureKey) {
        this.erasureKey = erasureKey;
    }

    /** The key {@code launch_stop_reason} matches erased addresses' hashes with, for the check before each message. */
    byte[] erasureKey() {
        return erasureKey.bytes();
    }

    static final Transition<LaunchStatus> LAUNCH_STARTS = Transition.from(LaunchStatus.QUEUED).to(LaunchStatus.RUNNING);
    static final Transition<LaunchStatus> LAUNCH_COMPLETES = Transition.from(LaunchStatus.RUNNING).to(LaunchStatus.COMPLETED);
    static final Transition<LaunchStatus> LAUNCH_COMPLETES_WITH_ERRORS =
            Transition.from(LaunchStatus.RUNNING).to(LaunchStatus.COMPLETED_WITH_ERRORS);
    static final Transition<LaunchStatus> LAUNCH_PAUSES = Transition.from(LaunchStatus.RUNNING).to(LaunchStatus.PAUSED);
    static final Transition<MailJobStatus> JOB_STARTS = Transition.from(MailJobStatus.QUEUED).to(MailJobStatus.SENDING);
    static final Transition<MailJobStatus> JOB_DONE = Transition.from(MailJobStatus.SENDING).to(MailJobStatus.DONE);
    static final Transition<MailJobStatus> JOB_DONE_WITH_ERRORS = Transition.from(MailJobStatus.SENDING).to(MailJobStatus.DONE_WITH_ERRORS);
    static final Transition<TestSendStatus> TEST_STARTS = Transition.from(TestSendStatus.QUEUED).to(TestSendStatus.SENDING);
    static final Transition<TestSendStatus> TEST_DONE = Transition.from(TestSendStatus.SENDING).to(TestSendStatus.DONE);

    /** QUEUED work starts; a launch makes its deliveries first, one per unique address over all its lists. */
    void start(Connection c, WorkRef work) throws SQLException {
        switch (work.kind()) {
            case LAUNCH -> expand(c, work.id());
            case ACTIVITY_MAIL -> Jdbc.update(c, "UPDATE mail_job SET status = ? WHERE id = ? AND status = ANY(?)",
                    JOB_STARTS.to(), work.id(), JOB_STARTS.fromNames());
            case TEST_SEND -> Jdbc.update(c, "UPDATE test_send SET status = ? WHERE id = ? AND status = ANY(?)",
                    TEST_STARTS.to(), work.id(), TEST_STARTS.fromNames());
        }
    }

    /** Deliveries a launch's start makes: a larger launch sends these while its worker makes the rest (the first message leaves at once). */
    static final int FIRST_CHUNK = 2_000;

    /** Key of the advisory lock that lets one transaction at a time make the rest of a launch's deliveries. */
    private static final int EXPANSION_LOCK = 0x4558_5041;

    private void expand(Connection c, long launchId) throws SQLException {
        List<String> status = Jdbc.query(c, "SELECT status FROM launch WHERE id = ? FOR UPDATE", r -> r.getString("status"), launchId);
        if (status.isEmpty() || !LAUNCH_STARTS.from().contains(LaunchStatus.valueOf(status.get(0)))) {
            return;
        }
        Made first = make(c, launchId, FIRST_CHUNK);
        if (first.rows() < FIRST_CHUNK) { // all of it: the counters are the rows
            Jdbc.update(c, "UPDATE launch SET status = ?, started_at = now(), total = ?, pending = ?, skipped = ? WHERE id = ?",
                    LAUNCH_STARTS.to(), first.rows(), first.pending(), first.skipped(), launchId);
            return;
        }
        // Named query "count addresses": every unique address over the lists, so the RUNNING event and progress show the
        // whole launch; the rest counts as pending until expandRest makes it and corrects the estimate to its rows.
        long addresses = Jdbc.query(c, """
                SELECT count(DISTINCT lower(c.email)) AS n FROM launch_list ll
                JOIN list_member m ON m.list_id = ll.list_id JOIN contact c ON c.id = m.contact_id
                WHERE ll.launch_id = ?""", r -> r.getLong("n"), launchId).get(0);
        long rest = Math.max(0, addresses - first.rows());
        Jdbc.update(c, """
                UPDATE launch SET status = ?, started_at = now(), total = ?, pending = ?, skipped = ?, expanding = true WHERE id = ?""",
                LAUNCH_STARTS.to(), first.rows() + rest, first.pending() + rest, first.skipped(), launchId);
    }

    /**
     * Makes the deliveries a launch's start left for later, whatever its status now (a cancelled launch gets them
     * CANCELLED, a paused one PENDING for its resume), and corrects its counters from the estimate to the rows made;
     * nothing when there is nothing left to make. One transaction at a time per launch.
     */
    void expandRest(Connection c, long launchId) throws SQLException {
        Jdbc.query(c, "SELECT pg_advisory_xact_lock(?, ?)", r -> null, EXPANSION_LOCK, (int) (launchId ^ (launchId >>> 32)));
        List<Long> estimate = Jdbc.query(c, """
                SELECT l.total - (SELECT count(*) FROM delivery d WHERE d.launch_id = l.id) AS rest FROM launch l
                WHERE l.id = ? AND l.expanding""", r -> r.getLong("rest"), launchId);
        if (estimate.isEmpty()) {
            return;
        }
        Made rest = make(c, launchId, Long.MAX_VALUE);
        long unmade = estimate.get(0);
        // Waits for a cancel in progress, and reads the status it left: a cancel did not see the rows made here.
        String status = Jdbc.query(c, """
                UPDATE launch SET expanding = false, total = total + ?, pending = pending + ?, skipped = skipped + ? WHERE id = ?
                RETURNING status""", r -> r.getString("status"), rest.rows() - unmade, rest.pending() - unmade, rest.skipped(),
                launchId).get(0);
        if (LaunchStatus.valueOf(status) == LaunchStatus.CANCELLED) {
            int cancelled = Jdbc.update(c, """
                    UPDATE delivery SET status = ?, last_reply = 'cancelled with the launch'
                    WHERE work_kind = ? AND work_id = ? AND status = ?""", DeliveryStatus.CANCELLED, SendJobV1.Kind.LAUNCH, launchId,
                    DeliveryStatus.PENDING);
            Jdbc.update(c, "UPDATE launch SET cancelled = cancelled + ?, pending = pending - ? WHERE id = ?", cancelled, cancelled, launchId);
        }
    }

    /** Whether a launch still has deliveries to make (it cannot complete before). */
    boolean isExpanding(Connection c, WorkRef work) throws SQLException {
        return work.kind() == SendJobV1.Kind.LAUNCH
                && Jdbc.query(c, "SELECT expanding FROM launch WHERE id = ?", r -> r.getBoolean("expanding"), work.id()).equals(List.of(true));
    }

    private record Made(long rows, long pending, long skipped) {
    }

    /**
     * Named query "expand launch": one row per address, case-insensitive across all lists, the first {@code limit} in
     * address order (rows made already are left as they are); an address that must not be mailed (an opted-out
     * contact, a suppression entry) is recorded as SKIPPED with the reason.
     */
    private Made make(Connection c, long launchId, long limit) throws SQLException {
        return Jdbc.query(c, """
                WITH made AS (
                    INSERT INTO delivery (launch_id, contact_id, email, status, last_reply)
                    SELECT launch_id, id, email, CASE WHEN stop IS NULL THEN ? ELSE ? END, stop
                    FROM (SELECT launch_id, id, email, launch_stop_reason(launch_id, email, opted_out, ?) AS stop
                          FROM (SELECT DISTINCT ON (lower(c.email)) ll.launch_id, c.id, c.email, c.opted_out
                                FROM launch_list ll
                                JOIN list_member m ON m.list_id = ll.list_id
                                JOIN contact c ON c.id = m.contact_id
                                WHERE ll.launch_id = ?
                                ORDER BY lower(c.email), c.opted_out DESC, c.id
                                LIMIT ?) a) e
                    ON CONFLICT DO NOTHING
                    RETURNING status)
                SELECT count(*) AS n, count(*) FILTER (WHERE status = ?) AS pending, count(*) FILTER (WHERE status = ?) AS skipped
                FROM made""", r -> new Made(r.getLong("n"), r.getLong("pending"), r.getLong("skipped")), DeliveryStatus.PENDING,
                DeliveryStatus.SKIPPED, erasureKey.bytes(), launchId, limit, DeliveryStatus.PENDING, DeliveryStatus.SKIPPED).get(0);
    }

    /** Whether the work may send now (it is started); the share lock orders a claim against a pause or cancel, which update the row. */
    boolean isSending(Connection c, WorkRef work, boolean lock) throws SQLException {
        String sql = switch (work.kind()) {
            case LAUNCH -> "SELECT status FROM launch WHERE id = ?";
            case ACTIVITY_MAIL -> "SELECT status FROM mail_job WHERE id = ?";
            case TEST_SEND -> "SELECT status FROM test_send WHERE id = ?";
        };
        List<String> status = Jdbc.query(c, lock ? sql + " FOR SHARE" : sql, r -> r.getString("status"), work.id());
        return !status.isEmpty() && status(work.kind(), status.get(0)).isStarted();
    }

    /** A status as its kind's enum reads it. */
    static WorkStatus status(SendJobV1.Kind kind, String name) {
        return switch (kind) {
            case LAUNCH -> LaunchStatus.valueOf(name);
            case ACTIVITY_MAIL -> MailJobStatus.valueOf(name);
            case TEST_SEND -> TestSendStatus.valueOf(name);
        };
    }

    /** The final status, once none of the work's deliveries is open: with errors when one failed. */
    boolean completeIfDone(Connection c, WorkRef work) throws SQLException {
        String[] open = {DeliveryStatus.PENDING.name(), DeliveryStatus.SENDING.name()};
        return switch (work.kind()) {
            case LAUNCH -> Jdbc.update(c, """
                    UPDATE launch SET status = CASE WHEN failed > 0 THEN ? ELSE ? END, finished_at = now()
                    WHERE id = ? AND status = ANY(?) AND NOT expanding
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE work_kind = ? AND work_id = ? AND status = ANY(?))""",
                    LAUNCH_COMPLETES_WITH_ERRORS.to(), LAUNCH_COMPLETES.to(), work.id(), LAUNCH_COMPLETES.fromNames(), work.kind(),
                    work.id(), open) == 1;
            case ACTIVITY_MAIL -> Jdbc.update(c, """
                    UPDATE mail_job SET finished_at = now(),
                           status = CASE WHEN EXISTS (SELECT 1 FROM delivery WHERE work_kind = ? AND work_id = ? AND status = ?)
                                         THEN ? ELSE ? END
                    WHERE id = ? AND status = ANY(?)
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE work_kind = ? AND work_id = ? AND status = ANY(?))""",
                    work.kind(), work.id(), DeliveryStatus.FAILED, JOB_DONE_WITH_ERRORS.to(), JOB_DONE.to(), work.id(),
                    JOB_DONE.fromNames(), work.kind(), work.id(), open) == 1;
            case TEST_SEND -> Jdbc.update(c, """
                    UPDATE test_send SET status = ?, finished_at = now()
                    WHERE id = ? AND status = ANY(?)
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE work_kind = ? AND work_id = ? AND status = ANY(?))""",
                    TEST_DONE.to(), work.id(), TEST_DONE.fromNames(), work.kind(), work.id(), open) == 1;
        };
    }

    /** A launch pauses with the reason, for a person to resume; other kinds have no pause and wait for their retries. */
    public boolean pause(Connection c, WorkRef work, String reason) throws SQLException {
        return switch (work.kind()) {
            case LAUNCH -> {
                Jdbc.update(c, "UPDATE launch SET status = ?, pause_reason = ? WHERE id = ? AND status = ANY(?)",
                        LAUNCH_PAUSES.to(), reason, work.id(), LAUNCH_PAUSES.fromNames());
                yield true;
            }
            case ACTIVITY_MAIL, TEST_SEND -> false;
        };
    }

    /** A launch counts claims that ran out (the relay may have those messages twice); other kinds count them in metrics only. */
    void countPossibleDuplicates(Connection c, WorkRef work, long n) throws SQLException {
        if (work.kind() == SendJobV1.Kind.LAUNCH) {
            Jdbc.update(c, "UPDATE launch SET possible_duplicates = possible_duplicates + ? WHERE id = ?", n, work.id());
        }
    }

    /** A launch's counters move in the same transaction as the rows they count. */
    void countOutcomes(Connection c, WorkRef work, int sent, int failed, int skipped) throws SQLException {
        if (work.kind() == SendJobV1.Kind.LAUNCH && sent + failed + skipped > 0) {
            Jdbc.update(c, "UPDATE launch SET sent = sent + ?, failed = failed + ?, skipped = skipped + ?, pending = pending - ? WHERE id = ?",
                    sent, failed, skipped, sent + failed + skipped, work.id());
        }
    }
}
