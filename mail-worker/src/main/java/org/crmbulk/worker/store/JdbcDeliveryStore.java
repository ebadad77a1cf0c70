package org.crmbulk.worker.store;

import static org.crmbulk.contract.status.DeliveryStatus.FAILED;
import static org.crmbulk.contract.status.DeliveryStatus.PENDING;
import static org.crmbulk.contract.status.DeliveryStatus.SENDING;
import static org.crmbulk.contract.status.DeliveryStatus.SENT;
import static org.crmbulk.contract.status.DeliveryStatus.SKIPPED;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.consent.ErasureKey;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.Transition;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.delivery.ClaimedDelivery;
import org.crmbulk.worker.delivery.DeliveryStore;
import org.crmbulk.worker.delivery.MailContent;
import org.crmbulk.worker.delivery.MessageIds;
import org.crmbulk.worker.delivery.Outcome;
import org.crmbulk.worker.work.WorkRef;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@link DeliveryStore} on PostgreSQL: claiming and recording deliveries is one set of queries for every
 * kind of work (they are all rows of {@code delivery}, found by their work's kind and ID); the status of
 * the work itself is {@link WorkStatuses}', and what its messages are made of {@link Contents}'.
 */
@ApplicationScoped
public class JdbcDeliveryStore implements DeliveryStore {

    static final Transition<DeliveryStatus> CLAIM = Transition.from(PENDING, SENDING).to(SENDING);
    static final Transition<DeliveryStatus> ACCEPTED = Transition.from(SENDING).to(SENT);
    static final Transition<DeliveryStatus> RETRY = Transition.from(SENDING).to(PENDING);
    static final Transition<DeliveryStatus> REFUSED = Transition.from(SENDING).to(FAILED);
    static final Transition<DeliveryStatus> SKIP = Transition.from(SENDING).to(SKIPPED);
    static final String[] OPEN = {PENDING.name(), SENDING.name()};

    private final Jdbc jdbc;
    private final WorkStatuses statuses;
    private final Contents contents;

    public JdbcDeliveryStore(Jdbc jdbc, WorkStatuses statuses, Contents contents) {
        this.jdbc = jdbc;
        this.statuses = statuses;
        this.contents = contents;
    }

    @Override
    public Optional<MailContent> begin(WorkRef work) {
        return jdbc.inTransaction(c -> {
            statuses.start(c, work);
            return contents.of(c, work);
        });
    }

    @Override
    public Optional<MailContent> content(WorkRef work) {
        return jdbc.inTransaction(c -> statuses.isSending(c, work, false) ? contents.of(c, work) : Optional.empty());
    }

    @Override
    public List<ClaimedDelivery> claim(WorkRef work, String owner, int limit, Duration claimLease, MessageIds ids) {
        return jdbc.inTransaction(c -> {
            // The share lock orders this claim against a pause or cancel, which lock the work's row for update.
            if (!statuses.isSending(c, work, true)) {
                return List.of();
            }
            // Named query "claim deliveries": due PENDING rows and SENDING rows whose claim ran out (their worker died
            // mid-send); those are possible duplicates. The Message-ID (MessageIds' rule) is fixed at the first claim.
            // A launch's address is checked against the suppression list again, just before its message.
            record Row(long id, String email, String name, boolean cc, String messageId, int attempts, boolean reclaimed,
                    Long contactId, Instant firstAttemptAt, String stop) {
            }
            List<Row> rows = Jdbc.query(c, """
                    WITH picked AS (
                        SELECT id, status AS was FROM delivery
                        WHERE work_kind = ? AND work_id = ?
                          AND ((status = ? AND next_attempt_at <= now()) OR (status = ? AND claimed_until < now()))
                        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                    UPDATE delivery d SET status = ?, attempts = d.attempts + 1, claimed_by = ?,
                           first_attempt_at = coalesce(d.first_attempt_at, now()),
                           claimed_until = now() + make_interval(secs => ?),
                           possible_duplicate = d.possible_duplicate OR p.was = ?,
                           message_id = coalesce(d.message_id, '<' || d.id || '.' || ? || '@' || ? || '>')
                    FROM picked p WHERE d.id = p.id
                    RETURNING d.id, d.email, d.display_name, d.recipient_kind, d.message_id, d.attempts, p.was, d.contact_id,
                              d.first_attempt_at,
                              CASE WHEN d.email LIKE ? THEN 'skipped: the recipient was erased'
                                   WHEN d.launch_id IS NOT NULL THEN launch_stop_reason(d.launch_id, d.email,
                                  coalesce((SELECT o.opted_out FROM contact o WHERE o.id = d.contact_id), false), ?) END AS stop""",
                    r -> new Row(r.getLong("id"), r.getString("email"), r.getString("display_name"), "CC".equals(r.getString("recipient_kind")),
                            r.getString("message_id"), r.getInt("attempts"), SENDING.name().equals(r.getString("was")),
                            r.getObject("contact_id", Long.class), r.getTimestamp("first_attempt_at").toInstant(), r.getString("stop")),
                    work.kind(), work.id(), PENDING, SENDING, limit, CLAIM.to(), owner, JdbcWorkStore.seconds(claimLease), SENDING,
                    ids.token(), ids.domain(), "%@" + ErasureKey.PLACEHOLDER_DOMAIN, statuses.erasureKey());
            if (rows.isEmpty()) {
                return List.of();
            }
            Map<Long, Map<String, Object>> fields = contents.contactFields(c,
                    rows.stream().map(Row::contactId).filter(java.util.Objects::nonNull).distinct().toList());
            List<ClaimedDelivery> claimed = new ArrayList<>(rows.size());
            for (Row r : rows) {
                // A contact deleted since the delivery was made gets no message: null tells the sender to skip it.
                Map<String, Object> contact = r.contactId() == null ? Map.of("email", r.email()) : fields.get(r.contactId());
                claimed.add(new ClaimedDelivery(r.id(), r.email(), r.name(), r.cc(), r.messageId(),
                        r.attempts(), r.reclaimed(), contact, r.firstAttemptAt(), r.stop()));
            }
            claimed.sort(Comparator.comparingLong(ClaimedDelivery::id));
            long reclaimed = rows.stream().filter(Row::reclaimed).count();
            if (reclaimed > 0) {
                statuses.countPossibleDuplicates(c, work, reclaimed);
            }
            return claimed;
        });
    }

    @Override
    public void record(WorkRef work, MailContent content, String owner, List<Outcome> outcomes) {
        jdbc.inTransaction(c -> {
            Map<Outcome.Kind, List<Outcome>> applied = new EnumMap<>(Outcome.Kind.class);
            // Only this owner's live claim is recorded: a claim taken over by another worker is theirs now.
            // One round trip per kind of outcome, not one per delivery: SENT in one statement, the others in JDBC batches.
            Map<Boolean, List<Outcome>> bySent = outcomes.stream().collect(Collectors.partitioningBy(o -> o.kind() == Outcome.Kind.SENT));
            if (!bySent.get(true).isEmpty()) {
                applied.put(Outcome.Kind.SENT, recordSent(c, content.activity(), owner, bySent.get(true)));
            }
            try (PreparedStatement retry = c.prepareStatement("""
                    UPDATE delivery SET status = ?, next_attempt_at = ?, last_reply = ?, message_id = coalesce(?, message_id),
                           possible_duplicate = possible_duplicate OR ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ? AND status = ANY(?) AND claimed_by = ?""");
                 PreparedStatement ended = c.prepareStatement("""
                    UPDATE delivery SET status = ?, last_reply = ?, message_id = coalesce(?, message_id), claimed_by = NULL,
                           claimed_until = NULL
                    WHERE id = ? AND status = ANY(?) AND claimed_by = ?""");
                 PreparedStatement unsent = c.prepareStatement("""
                    UPDATE delivery SET status = ?, attempts = attempts - 1, claimed_by = NULL, claimed_until = NULL,
                           first_attempt_at = CASE WHEN attempts = 1 THEN NULL ELSE first_attempt_at END
                    WHERE id = ? AND status = ANY(?) AND claimed_by = ?""")) {
                Map<PreparedStatement, List<Outcome>> batches = new java.util.LinkedHashMap<>();
                for (Outcome o : bySent.get(false)) {
                    switch (o.kind()) {
                        case SENT -> throw new IllegalStateException("SENT outcomes are recorded by recordSent");
                        case RETRY -> add(c, batches, retry, o, RETRY, owner, Timestamp.from(o.retryAt()), o.reply(), o.messageId(),
                                o.mayHaveArrived(), o.deliveryId());
                        case FAILED -> add(c, batches, ended, o, REFUSED, owner, o.reply(), o.messageId(), o.deliveryId());
                        case SKIPPED -> add(c, batches, ended, o, SKIP, owner, o.reply(), o.messageId(), o.deliveryId());
                        case NOT_SENT -> add(c, batches, unsent, o, RETRY, owner, o.deliveryId());
                    }
                }
                for (Map.Entry<PreparedStatement, List<Outcome>> batch : batches.entrySet()) {
                    int[] counts = batch.getKey().executeBatch();
                    for (int i = 0; i < counts.length; i++) {
                        if (counts[i] > 0 || counts[i] == Statement.SUCCESS_NO_INFO) {
                            Outcome o = batch.getValue().get(i);
                            applied.computeIfAbsent(o.kind(), k -> new ArrayList<>()).add(o);
                        }
                    }
                }
            }
            List<Outcome> sentNow = applied.getOrDefault(Outcome.Kind.SENT, List.of());
            statuses.countOutcomes(c, work, sentNow.size(), applied.getOrDefault(Outcome.Kind.FAILED, List.of()).size(),
                    applied.getOrDefault(Outcome.Kind.SKIPPED, List.of()).size());
            // No reply came after these messages' dot: the relay may have them, so their retry is a possible duplicate.
            long doubtful = applied.getOrDefault(Outcome.Kind.RETRY, List.of()).stream().filter(Outcome::mayHaveArrived).count();
            if (doubtful > 0) {
                statuses.countPossibleDuplicates(c, work, doubtful);
            }
            return null;
        });
    }

    /**
     * Adds one guarded status change to its statement's batch; every statement binds the new status, then the
     * values, then the statuses it may come from and the claim's owner.
     */
    private static void add(Connection c, Map<PreparedStatement, List<Outcome>> batches, PreparedStatement s, Outcome o,
            Transition<DeliveryStatus> transition, String owner, Object... values) throws SQLException {
        Object[] args = new Object[values.length + 3];
        args[0] = transition.to();
        System.arraycopy(values, 0, args, 1, values.length);
        args[values.length + 1] = transition.fromNames();
        args[values.length + 2] = owner;
        Jdbc.bind(c, s, args);
        s.addBatch();
        batches.computeIfAbsent(s, k -> new ArrayList<>()).add(o);
    }

    /**
     * The SENT outcomes in one statement: each delivery still claimed by this owner becomes SENT and, where the content
     * makes activities, gets its done e-mail activity, linked both ways, in that same row version (one write per message).
     */
    private static List<Outcome> recordSent(Connection c, Optional<MailContent.ActivityRule> activity, String owner, List<Outcome> sent)
            throws SQLException {
        java.util.Set<Long> recorded = new java.util.HashSet<>(Jdbc.query(c, """
                WITH o AS (SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[]) AS o(id, reply, message_id, subject)),
                     mine AS (SELECT d.id, d.contact_id, d.launch_id, o.reply, o.message_id, o.subject
                              FROM delivery d JOIN o ON o.id = d.id
                              WHERE d.status = ANY(?) AND d.claimed_by = ? FOR UPDATE OF d),
                     made AS (INSERT INTO activity (type, subject, status, contact_id, owner_user_id, launch_id, delivery_id, occurred_at)
                              SELECT ?, m.subject, 'DONE', m.contact_id, ?, m.launch_id, m.id, now() FROM mine m WHERE ?
                              RETURNING id, delivery_id)
                UPDATE delivery d SET status = ?, sent_at = now(), last_reply = m.reply, message_id = coalesce(m.message_id, d.message_id),
                       claimed_by = NULL, claimed_until = NULL, activity_id = coalesce(made.id, d.activity_id)
                FROM mine m LEFT JOIN made ON made.delivery_id = m.id
                WHERE d.id = m.id
                RETURNING d.id""", r -> r.getLong(1),
                sent.stream().map(Outcome::deliveryId).toArray(Long[]::new), sent.stream().map(Outcome::reply).toArray(String[]::new),
                sent.stream().map(Outcome::messageId).toArray(String[]::new), sent.stream().map(Outcome::subject).toArray(String[]::new),
                ACCEPTED.fromNames(), owner, activity.map(MailContent.ActivityRule::type).orElse(null),
                activity.map(MailContent.ActivityRule::ownerUserId).orElse(null), activity.isPresent(), ACCEPTED.to()));
        return sent.stream().filter(o -> recorded.contains(o.deliveryId())).toList();
    }

    @Override
    public void expandRest(WorkRef work) {
        if (work.kind() == SendJobV1.Kind.LAUNCH) {
            jdbc.inTransaction(c -> {
                statuses.expandRest(c, work.id());
                return null;
            });
        }
    }

    @Override
    public Settlement settle(WorkRef work) {
        return jdbc.inTransaction(c -> {
            // Read first, in a statement of its own: once it says no, the rows made by expandRest are in every later snapshot.
            if (statuses.isExpanding(c, work)) {
                return new Settlement(false, false, Optional.empty(), true);
            }
            if (!statuses.isSending(c, work, false)) {
                return new Settlement(true, false, Optional.empty(), false);
            }
            // A claim in flight (another loop's, a helping worker's) is usually recorded within a second: looked at again
            // then, not only when it would run out (2 minutes), so the launch completes as soon as its last claim is recorded.
            Optional<Instant> next = Jdbc.query(c, """
                    SELECT min(CASE WHEN status = ? THEN next_attempt_at ELSE least(claimed_until, now() + interval '1 second') END) AS next
                    FROM delivery WHERE work_kind = ? AND work_id = ? AND status = ANY(?)""",
                    r -> Optional.ofNullable(r.getTimestamp("next")).map(Timestamp::toInstant), PENDING, work.kind(), work.id(), OPEN).get(0);
            if (next.isPresent()) {
                return new Settlement(false, false, next, false);
            }
            boolean finished = statuses.completeIfDone(c, work);
            return new Settlement(!finished, finished, Optional.empty(), false);
        });
    }

    @Override
    public boolean pause(WorkRef work, String reason) {
        return jdbc.inTransaction(c -> statuses.pause(c, work, reason));
    }
}
