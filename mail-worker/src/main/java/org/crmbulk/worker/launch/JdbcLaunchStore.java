package org.crmbulk.worker.launch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.sql.DataSource;

import org.crmbulk.contract.mime.MimeBodies;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;


import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@link LaunchStore} on PostgreSQL with plain JDBC: each method is one short transaction. */
@ApplicationScoped
public class JdbcLaunchStore implements LaunchStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    DataSource dataSource;

    @Override
    public boolean acquireLease(long launchId, String owner, Duration lease) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE launch SET lease_owner = ?, lease_until = now() + make_interval(secs => ?)
                    WHERE id = ? AND status IN ('QUEUED', 'RUNNING')
                      AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < now())""")) {
                s.setString(1, owner);
                s.setDouble(2, lease.toMillis() / 1000.0);
                s.setLong(3, launchId);
                s.setString(4, owner);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Set<Long> renewLeases(Collection<Long> launchIds, String owner, Duration lease) {
        if (launchIds.isEmpty()) {
            return Set.of();
        }
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE launch SET lease_until = now() + make_interval(secs => ?)
                    WHERE id = ANY(?) AND lease_owner = ? RETURNING id""")) {
                s.setDouble(1, lease.toMillis() / 1000.0);
                s.setArray(2, c.createArrayOf("bigint", launchIds.toArray()));
                s.setString(3, owner);
                Set<Long> held = new HashSet<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        held.add(rs.getLong(1));
                    }
                }
                return held;
            }
        });
    }

    @Override
    public void releaseLease(long launchId, String owner) {
        inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE launch SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?")) {
                s.setLong(1, launchId);
                s.setString(2, owner);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public void expandIfQueued(long launchId) {
        inTransaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT status FROM launch WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, launchId);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || !"QUEUED".equals(rs.getString(1))) {
                        return null;
                    }
                }
            }
            // Named query "expand launch": one row per address, case-insensitive across all lists;
            // opted-out contacts are recorded as SKIPPED so the history says why they got nothing.
            try (PreparedStatement s = c.prepareStatement("""
                    INSERT INTO delivery (launch_id, contact_id, email, status, last_reply)
                    SELECT DISTINCT ON (lower(c.email)) ll.launch_id, c.id, c.email,
                           CASE WHEN c.opted_out THEN 'SKIPPED' ELSE 'PENDING' END,
                           CASE WHEN c.opted_out THEN 'skipped: contact opted out of marketing' END
                    FROM launch_list ll
                    JOIN list_member m ON m.list_id = ll.list_id
                    JOIN contact c ON c.id = m.contact_id
                    WHERE ll.launch_id = ?
                    ORDER BY lower(c.email), c.opted_out DESC, c.id
                    ON CONFLICT DO NOTHING""")) {
                s.setLong(1, launchId);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE launch l SET status = 'RUNNING', started_at = now(),
                           total = d.total, pending = d.pending, skipped = d.skipped
                    FROM (SELECT count(*) AS total,
                                 count(*) FILTER (WHERE status = 'PENDING') AS pending,
                                 count(*) FILTER (WHERE status = 'SKIPPED') AS skipped
                          FROM delivery WHERE launch_id = ?) d
                    WHERE l.id = ?""")) {
                s.setLong(1, launchId);
                s.setLong(2, launchId);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The columns of a frozen content version (alias v), as {@link #frozen} reads them. */
    private static final String VERSION_COLUMNS = """
            v.id, v.from_address, v.from_name, v.reply_to, v.subject_template, v.text_template, v.html_template,
            v.create_activity, coalesce(v.activity_type, 'EMAIL')""";

    @Override
    public Optional<LaunchContent> content(long launchId) {
        return inTransaction(c -> {
            // Named query "frozen content": the version the launch took at acceptance, never the action's current one.
            try (PreparedStatement s = c.prepareStatement("SELECT " + VERSION_COLUMNS + """
                    , CASE WHEN v.activity_owner = 'FIXED' THEN v.activity_owner_user_id ELSE l.launched_by_user_id END
                    FROM launch l JOIN bulk_action_version v ON v.id = l.content_version_id WHERE l.id = ?""")) {
                s.setLong(1, launchId);
                return frozen(c, s, launchId);
            }
        });
    }

    /** The content a test send froze when it was requested: no activities. */
    public Optional<LaunchContent> testSendContent(long testSendId) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + VERSION_COLUMNS + """
                    , CAST(NULL AS bigint) FROM test_send t JOIN bulk_action_version v ON v.id = t.content_version_id WHERE t.id = ?""")) {
                s.setLong(1, testSendId);
                return frozen(c, s, 0);
            }
        });
    }

    private static Optional<LaunchContent> frozen(Connection c, PreparedStatement s, long launchId) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            long versionId = rs.getLong(1);
            return Optional.of(new LaunchContent(launchId, versionId, rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getString(7), versionAttachments(c, versionId), rs.getBoolean(8),
                    rs.getString(9), (Long) rs.getObject(10, Long.class)));
        }
    }

    /** The merge fields of one contact, as templates see them; empty when it does not exist. */
    public Map<String, Object> contactFields(Long contactId) {
        if (contactId == null) {
            return Map.of();
        }
        return inTransaction(c -> contacts(c, List.of(contactId)).getOrDefault(contactId, Map.of()));
    }

    /** A content version's attachments in their order, loaded once per launch and shared by every message. */
    private static List<MimeBodies.Attachment> versionAttachments(Connection c, long versionId) throws SQLException {
        return attachments(c, """
                SELECT a.filename, a.content_type, b.content
                FROM bulk_action_version_attachment va JOIN attachment a ON a.id = va.attachment_id
                JOIN content_blob b ON b.sha256 = a.sha256
                WHERE va.version_id = ? ORDER BY va.position""", versionId);
    }

    /** The attachments a mail job froze when its task ran, in their order. */
    public static List<MimeBodies.Attachment> mailJobAttachments(Connection c, long mailJobId) throws SQLException {
        return attachments(c, """
                SELECT m.filename, m.content_type, b.content
                FROM mail_job_attachment m JOIN content_blob b ON b.sha256 = m.sha256
                WHERE m.mail_job_id = ? ORDER BY m.position""", mailJobId);
    }

    private static List<MimeBodies.Attachment> attachments(Connection c, String query, long ownerId) throws SQLException {
        List<MimeBodies.Attachment> attachments = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(query)) {
            s.setLong(1, ownerId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    attachments.add(new MimeBodies.Attachment(rs.getString(1), rs.getString(2), rs.getBytes(3)));
                }
            }
        }
        return List.copyOf(attachments);
    }

    @Override
    public boolean isRunning(long launchId) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT status = 'RUNNING' FROM launch WHERE id = ?")) {
                s.setLong(1, launchId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() && rs.getBoolean(1);
                }
            }
        });
    }

    @Override
    public List<Long> releaseDueScheduled(int limit) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE launch SET status = 'QUEUED' WHERE id IN (
                        SELECT id FROM launch WHERE status = 'SCHEDULED' AND scheduled_at <= now()
                        ORDER BY scheduled_at LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING id""")) {
                s.setInt(1, limit);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public List<ClaimedDelivery> claim(long launchId, String owner, int limit, Duration claimLease, String messageIdDomain) {
        return inTransaction(c -> {
            // Named query "claim deliveries": due PENDING rows and SENDING rows whose claim ran out
            // (their worker died mid-send). The Message-ID is fixed at the first claim, so a resend reuses it.
            List<ClaimedDelivery> claimed = new ArrayList<>();
            int reclaimed = 0;
            // The share lock orders this claim against a pause or cancel, which lock the launch for update.
            try (PreparedStatement gate = c.prepareStatement("SELECT status FROM launch WHERE id = ? FOR SHARE")) {
                gate.setLong(1, launchId);
                try (ResultSet rs = gate.executeQuery()) {
                    if (!rs.next() || !"RUNNING".equals(rs.getString(1))) {
                        return claimed;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    WITH picked AS (
                        SELECT id, status AS was FROM delivery
                        WHERE launch_id = ?
                          AND ((status = 'PENDING' AND next_attempt_at <= now())
                               OR (status = 'SENDING' AND claimed_until < now()))
                        ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
                    UPDATE delivery d SET status = 'SENDING', attempts = d.attempts + 1, claimed_by = ?,
                           first_attempt_at = coalesce(d.first_attempt_at, now()),
                           claimed_until = now() + make_interval(secs => ?),
                           possible_duplicate = d.possible_duplicate OR p.was = 'SENDING',
                           message_id = coalesce(d.message_id,
                               '<' || d.id || '.' || d.launch_id || '.' || substr(md5(random()::text), 1, 12) || '@' || ? || '>')
                    FROM picked p WHERE d.id = p.id
                    RETURNING d.id, d.email, d.message_id, d.attempts, p.was, d.contact_id, d.first_attempt_at""")) {
                s.setLong(1, launchId);
                s.setInt(2, limit);
                s.setString(3, owner);
                s.setDouble(4, claimLease.toMillis() / 1000.0);
                s.setString(5, messageIdDomain);
                List<Object[]> rows = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                                "SENDING".equals(rs.getString(5)), rs.getObject(6), rs.getTimestamp(7).toInstant()});
                    }
                }
                Map<Long, Map<String, Object>> contacts = contacts(c,
                        rows.stream().filter(r -> r[5] != null).map(r -> ((Number) r[5]).longValue()).toList());
                for (Object[] r : rows) {
                    boolean wasSending = (Boolean) r[4];
                    if (wasSending) {
                        reclaimed++;
                    }
                    // A contact deleted since the expansion gets no message: null tells the sender to skip it.
                    Map<String, Object> contact = r[5] == null ? Map.of("email", r[1]) : contacts.get(((Number) r[5]).longValue());
                    claimed.add(new ClaimedDelivery((Long) r[0], (String) r[1], (String) r[2], (Integer) r[3],
                            wasSending, contact, (Instant) r[6]));
                }
            }
            if (reclaimed > 0) {
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE launch SET possible_duplicates = possible_duplicates + ? WHERE id = ?")) {
                    s.setInt(1, reclaimed);
                    s.setLong(2, launchId);
                    s.executeUpdate();
                }
            }
            return claimed;
        });
    }

    private static Map<Long, Map<String, Object>> contacts(Connection c, List<Long> ids) throws SQLException {
        Map<Long, Map<String, Object>> contacts = new HashMap<>();
        if (ids.isEmpty()) {
            return contacts;
        }
        try (PreparedStatement s = c.prepareStatement("""
                SELECT id, email, first_name, last_name, company, language, external_id, custom_fields::text
                FROM contact WHERE id = ANY(?)""")) {
            s.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> contact = new HashMap<>();
                    contact.put("id", rs.getLong(1));
                    contact.put("email", rs.getString(2));
                    contact.put("firstName", rs.getString(3));
                    contact.put("lastName", rs.getString(4));
                    contact.put("company", rs.getString(5));
                    contact.put("language", rs.getString(6));
                    contact.put("externalId", rs.getString(7));
                    contact.put("custom", parseJson(rs.getString(8)));
                    contacts.put(rs.getLong(1), contact);
                }
            }
        }
        return contacts;
    }

    private static Map<String, Object> parseJson(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (Exception e) {
            return Map.of();
        }
    }

    @Override
    public void record(LaunchContent content, String owner, List<Outcome> outcomes) {
        long launchId = content.launchId();
        inTransaction(c -> {
            Map<Outcome.Kind, Integer> applied = new EnumMap<>(Outcome.Kind.class);
            List<Outcome> sentNow = new ArrayList<>();
            List<Outcome> sentBatch = new ArrayList<>();
            List<Outcome> retryBatch = new ArrayList<>();
            List<Outcome> endedBatch = new ArrayList<>();
            // Only this owner's live claim is recorded: a claim taken over by another worker is theirs now.
            // Statements go in JDBC batches: one round trip per kind, not one per delivery.
            try (PreparedStatement sent = c.prepareStatement("""
                    UPDATE delivery SET status = 'SENT', sent_at = now(), last_reply = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ? AND status = 'SENDING' AND claimed_by = ?""");
                 PreparedStatement retry = c.prepareStatement("""
                    UPDATE delivery SET status = 'PENDING', next_attempt_at = ?, last_reply = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ? AND status = 'SENDING' AND claimed_by = ?""");
                 PreparedStatement ended = c.prepareStatement("""
                    UPDATE delivery SET status = ?, last_reply = ?, claimed_by = NULL, claimed_until = NULL
                    WHERE id = ? AND status = 'SENDING' AND claimed_by = ?""");
                 PreparedStatement unsent = c.prepareStatement("""
                    UPDATE delivery SET status = 'PENDING', attempts = attempts - 1, claimed_by = NULL, claimed_until = NULL,
                           first_attempt_at = CASE WHEN attempts = 1 THEN NULL ELSE first_attempt_at END
                    WHERE id = ? AND status = 'SENDING' AND claimed_by = ?""")) {
                for (Outcome o : outcomes) {
                    if (o.kind() == Outcome.Kind.NOT_SENT) {
                        unsent.setLong(1, o.deliveryId());
                        unsent.setString(2, owner);
                        unsent.addBatch();
                        continue;
                    }
                    switch (o.kind()) {
                        case SENT -> {
                            sent.setString(1, o.reply());
                            sent.setLong(2, o.deliveryId());
                            sent.setString(3, owner);
                            sent.addBatch();
                            sentBatch.add(o);
                        }
                        case RETRY -> {
                            retry.setTimestamp(1, Timestamp.from(o.retryAt()));
                            retry.setString(2, o.reply());
                            retry.setLong(3, o.deliveryId());
                            retry.setString(4, owner);
                            retry.addBatch();
                            retryBatch.add(o);
                        }
                        default -> {
                            ended.setString(1, o.kind().name());
                            ended.setString(2, o.reply());
                            ended.setLong(3, o.deliveryId());
                            ended.setString(4, owner);
                            ended.addBatch();
                            endedBatch.add(o);
                        }
                    }
                }
                applyBatch(sent, sentBatch, applied, sentNow);
                applyBatch(retry, retryBatch, applied, null);
                applyBatch(ended, endedBatch, applied, null);
                unsent.executeBatch();
            }
            if (content.createActivity() && !sentNow.isEmpty()) {
                createActivities(c, content, sentNow);
            }
            int nSent = applied.getOrDefault(Outcome.Kind.SENT, 0);
            int nFailed = applied.getOrDefault(Outcome.Kind.FAILED, 0);
            int nSkipped = applied.getOrDefault(Outcome.Kind.SKIPPED, 0);
            if (nSent + nFailed + nSkipped > 0) {
                // Counters move in the same transaction as the rows they count.
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE launch SET sent = sent + ?, failed = failed + ?, skipped = skipped + ?, pending = pending - ? WHERE id = ?")) {
                    s.setInt(1, nSent);
                    s.setInt(2, nFailed);
                    s.setInt(3, nSkipped);
                    s.setInt(4, nSent + nFailed + nSkipped);
                    s.setLong(5, launchId);
                    s.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Runs a batch and counts, per outcome kind, the rows it really changed. */
    private static void applyBatch(PreparedStatement s, List<Outcome> batch, Map<Outcome.Kind, Integer> applied,
            List<Outcome> changed) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        int[] counts = s.executeBatch();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                applied.merge(batch.get(i).kind(), 1, Integer::sum);
                if (changed != null) {
                    changed.add(batch.get(i));
                }
            }
        }
    }

    /** One done e-mail activity per SENT delivery, linked both ways, in the delivery's own transaction. */
    private static void createActivities(Connection c, LaunchContent content, List<Outcome> sent) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                WITH made AS (
                    INSERT INTO activity (type, subject, status, contact_id, owner_user_id, launch_id, delivery_id, occurred_at)
                    SELECT ?, o.subject, 'DONE', d.contact_id, ?, d.launch_id, d.id, now()
                    FROM unnest(?, ?) AS o(delivery_id, subject) JOIN delivery d ON d.id = o.delivery_id
                    RETURNING id, delivery_id)
                UPDATE delivery d SET activity_id = made.id FROM made WHERE d.id = made.delivery_id""")) {
            s.setString(1, content.activityType());
            s.setObject(2, content.activityOwnerUserId());
            s.setArray(3, c.createArrayOf("bigint", sent.stream().map(Outcome::deliveryId).toArray()));
            s.setArray(4, c.createArrayOf("text", sent.stream().map(Outcome::subject).toArray()));
            s.executeUpdate();
        }
    }

    @Override
    public void pauseForRelay(long launchId, String reason) {
        inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE launch SET status = 'PAUSED', pause_reason = ? WHERE id = ? AND status = 'RUNNING'")) {
                s.setString(1, reason);
                s.setLong(2, launchId);
                return s.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Instant> nextWork(long launchId) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT min(CASE WHEN status = 'PENDING' THEN next_attempt_at ELSE claimed_until END), count(*)
                    FROM delivery WHERE launch_id = ? AND status IN ('PENDING', 'SENDING')""")) {
                s.setLong(1, launchId);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    Timestamp next = rs.getTimestamp(1);
                    return rs.getLong(2) == 0 || next == null ? Optional.<Instant>empty() : Optional.of(next.toInstant());
                }
            }
        });
    }

    @Override
    public boolean completeIfDone(long launchId) {
        return inTransaction(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE launch SET status = CASE WHEN failed > 0 THEN 'COMPLETED_WITH_ERRORS' ELSE 'COMPLETED' END,
                           finished_at = now(), lease_owner = NULL, lease_until = NULL
                    WHERE id = ? AND status = 'RUNNING'
                      AND NOT EXISTS (SELECT 1 FROM delivery WHERE launch_id = ? AND status IN ('PENDING', 'SENDING'))""")) {
                s.setLong(1, launchId);
                s.setLong(2, launchId);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Long> abandonedLaunches(Duration queuedGrace, int limit) {
        return inTransaction(c -> {
            // Named query "abandoned launches": a lapsed lease lost its worker; a QUEUED launch never leased
            // after the grace lost its Kafka job (or Kafka is away) and is started from here instead.
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT id FROM launch
                    WHERE status IN ('QUEUED', 'RUNNING') AND lease_until < now()
                       OR status = 'RUNNING' AND lease_until IS NULL
                       OR status = 'QUEUED' AND lease_until IS NULL AND created_at < now() - make_interval(secs => ?)
                    ORDER BY id LIMIT ?""")) {
                s.setDouble(1, queuedGrace.toMillis() / 1000.0);
                s.setInt(2, limit);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                return ids;
            }
        });
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The database did not answer or refused; the caller backs off and tries again. */
    public static class StoreException extends RuntimeException {
        public StoreException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        /** Connection lost or refused, server shutting down, or a serialization conflict: worth trying again. */
        public boolean isTransient() {
            for (Throwable t = getCause(); t != null; t = t.getCause()) {
                if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException) {
                    return true;
                }
                if (t instanceof SQLException sql && sql.getSQLState() != null) {
                    String state = sql.getSQLState();
                    if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

}
