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

    private void expand(Connection c, long launchId) throws SQLException {
        List<String> status = Jdbc.query(c, "SELECT status FROM launch WHERE id = ? FOR UPDATE", r -> r.getString("status"), launchId);
        if (status.isEmpty() || !LAUNCH_STARTS.from().contains(LaunchStatus.valueOf(status.get(0)))) {
            return;
        }
        // Named query "expand launch": one row per address, case-insensitive across all lists; an address that must
        // not be mailed (an opted-out contact, a suppression entry) is recorded as SKIPPED with the reason.
        Jdbc.update(c, """
                INSERT INTO delivery (launch_id, contact_id, email, status, last_reply)
                SELECT launch_id, id, email, CASE WHEN stop IS NULL THEN ? ELSE ? END, stop
                FROM (SELECT DISTINCT ON (lower(c.email)) ll.launch_id, c.id, c.email, launch_stop_reason(ll.launch_id, c.email, c.opted_out, ?) AS stop
                      FROM launch_list ll
                      JOIN list_member m ON m.list_id = ll.list_id
                      JOIN contact c ON c.id = m.contact_id
                      WHERE ll.launch_id = ?
                      ORDER BY lower(c.email), c.opted_out DESC, c.id) e
                ON CONFLICT DO NOTHING""", DeliveryStatus.PENDING, DeliveryStatus.SKIPPED, erasureKey.bytes(), launchId);
        Jdbc.update(c, """
                UPDATE launch l SET status = ?, started_at = now(), total = d.total, pending = d.pending, skipped = d.skipped
                FROM (SELECT count(*) AS total,
                             count(*) FILTER (WHERE status = ?) AS pending,
                             count(*) FILTER (WHERE status = ?) AS skipped
                      FROM delivery WHERE launch_id = ?) d
                WHERE l.id = ?""", LAUNCH_STARTS.to(), DeliveryStatus.PENDING, DeliveryStatus.SKIPPED, launchId, launchId);
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
                    WHERE id = ? AND status = ANY(?)
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
