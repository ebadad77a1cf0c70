package org.crmbulk.worker.store;

import static org.crmbulk.contract.status.LaunchStatus.QUEUED;
import static org.crmbulk.contract.status.LaunchStatus.SCHEDULED;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.Transition;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.work.WorkRef;
import org.crmbulk.worker.work.WorkStore;

import jakarta.enterprise.context.ApplicationScoped;

/** {@link WorkStore} on PostgreSQL: one lease table for every kind of work, and the view of open work. */
@ApplicationScoped
public class JdbcWorkStore implements WorkStore {

    static final Transition<LaunchStatus> FALLS_DUE = Transition.from(SCHEDULED).to(QUEUED);

    private final Jdbc jdbc;

    public JdbcWorkStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean acquire(WorkRef work, String owner, Duration lease) {
        // Named query "take a lease": only on open work, and only when free, lapsed, due, or already this owner's.
        return jdbc.update("""
                INSERT INTO work_lease (work_kind, work_id, owner, until)
                SELECT work_kind, work_id, ?, now() + make_interval(secs => ?) FROM open_work WHERE work_kind = ? AND work_id = ?
                ON CONFLICT (work_kind, work_id) DO UPDATE SET owner = excluded.owner, until = excluded.until
                WHERE work_lease.owner = excluded.owner OR work_lease.until IS NULL OR work_lease.until < now()""",
                owner, seconds(lease), work.kind(), work.id()) == 1;
    }

    @Override
    public Set<WorkRef> renew(Collection<WorkRef> held, Collection<WorkRef> helped, String owner, Duration lease, Duration claimLease) {
        if (held.isEmpty() && helped.isEmpty()) {
            return Set.of();
        }
        String[] kinds = held.stream().map(w -> w.kind().name()).toArray(String[]::new);
        Long[] ids = held.stream().map(WorkRef::id).toArray(Long[]::new);
        List<WorkRef> claimed = java.util.stream.Stream.concat(held.stream(), helped.stream()).distinct().toList();
        String[] claimKinds = claimed.stream().map(w -> w.kind().name()).toArray(String[]::new);
        Long[] claimIds = claimed.stream().map(WorkRef::id).toArray(Long[]::new);
        return jdbc.inTransaction(c -> {
            Set<WorkRef> renewed = new HashSet<>(Jdbc.query(c, """
                    UPDATE work_lease w SET until = now() + make_interval(secs => ?)
                    FROM unnest(?, ?) AS h(kind, id)
                    WHERE w.work_kind = h.kind AND w.work_id = h.id AND w.owner = ?
                    RETURNING w.work_kind, w.work_id""", JdbcWorkStore::ref, seconds(lease), kinds, ids, owner));
            Jdbc.update(c, """
                    UPDATE delivery d SET claimed_until = now() + make_interval(secs => ?)
                    FROM unnest(?, ?) AS h(kind, id)
                    WHERE d.work_kind = h.kind AND d.work_id = h.id AND d.status = ? AND d.claimed_by = ?""",
                    seconds(claimLease), claimKinds, claimIds, DeliveryStatus.SENDING, owner);
            return renewed;
        });
    }

    @Override
    public void release(WorkRef work, String owner, Optional<Instant> wakeAt) {
        if (wakeAt.isPresent()) {
            jdbc.update("UPDATE work_lease SET owner = NULL, until = ? WHERE work_kind = ? AND work_id = ? AND owner = ?",
                    wakeAt.get(), work.kind(), work.id(), owner);
        } else {
            jdbc.update("DELETE FROM work_lease WHERE work_kind = ? AND work_id = ? AND owner = ?", work.kind(), work.id(), owner);
        }
    }

    @Override
    public List<WorkRef> wakeScheduled(int limit) {
        return jdbc.query("""
                UPDATE launch SET status = ? WHERE id IN (
                    SELECT id FROM launch WHERE status = ANY(?) AND scheduled_at <= now()
                    ORDER BY scheduled_at LIMIT ? FOR UPDATE SKIP LOCKED)
                RETURNING id""", row -> WorkRef.launch(row.getLong("id")), FALLS_DUE.to(), FALLS_DUE.fromNames(), limit);
    }

    @Override
    public boolean handBack(WorkRef work) {
        // Named query "hand back": the lease row a release leaves (no owner), due now; an existing lease row stays.
        return jdbc.update("""
                INSERT INTO work_lease (work_kind, work_id, owner, until)
                SELECT work_kind, work_id, NULL, now() FROM open_work WHERE work_kind = ? AND work_id = ?
                ON CONFLICT (work_kind, work_id) DO NOTHING""", work.kind(), work.id()) == 1;
    }

    @Override
    public List<WorkRef> unattended(SendJobV1.Kind kind, Duration queuedGrace, int limit) {
        // Named query "unattended work": a lapsed lease lost its worker; a wake-up time that came means a retry is due;
        // started work without a lease was released (paused and resumed, stopped by a shutdown); queued work never
        // leased after the grace lost its Kafka job (or Kafka is away) and is started from here instead.
        return jdbc.query("""
                SELECT o.work_kind, o.work_id FROM open_work o
                LEFT JOIN work_lease w ON w.work_kind = o.work_kind AND w.work_id = o.work_id
                WHERE o.work_kind = ?
                  AND (w.until < now()
                       OR w.until IS NULL AND (o.started OR o.created_at < now() - make_interval(secs => ?)))
                ORDER BY o.work_id LIMIT ?""", JdbcWorkStore::ref, kind, seconds(queuedGrace), limit);
    }

    @Override
    public List<WorkRef> helpWanted(String owner, int minDue, int limit) {
        // Named query "help wanted": a live lease of another worker on a RUNNING launch, and enough due to share.
        return jdbc.query("""
                SELECT w.work_kind, w.work_id FROM work_lease w JOIN launch l ON l.id = w.work_id
                WHERE w.work_kind = ? AND w.owner <> ? AND w.until > now() AND l.status = ?
                  AND (SELECT count(*) FROM (SELECT 1 FROM delivery d
                       WHERE d.work_kind = w.work_kind AND d.work_id = w.work_id AND d.status = ? AND d.next_attempt_at <= now()
                       LIMIT ?) due) >= ?
                ORDER BY w.work_id LIMIT ?""", JdbcWorkStore::ref, SendJobV1.Kind.LAUNCH, owner, LaunchStatus.RUNNING,
                DeliveryStatus.PENDING, minDue, minDue, limit);
    }

    private static WorkRef ref(java.sql.ResultSet row) throws java.sql.SQLException {
        return new WorkRef(SendJobV1.Kind.valueOf(row.getString("work_kind")), row.getLong("work_id"));
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
