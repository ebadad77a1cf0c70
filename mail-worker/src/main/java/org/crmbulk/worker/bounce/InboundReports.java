package org.crmbulk.worker.bounce;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import org.crmbulk.contract.consent.ConsentEvents;
import org.crmbulk.contract.consent.ErasureKey;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.store.WorkStatuses;
import org.crmbulk.worker.work.WorkRef;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Bounces and complaints, from received to applied. A report is stored once (the SHA-256 of its bytes), then read in one
 * transaction that links each recipient it names to its delivery (by the signed VERP return path, else by the returned
 * Message-ID) and applies what it says: the delivery's bounce or complaint, the launch's counters, the suppression of the
 * address (a hard bounce or a complaint at once, soft bounces after the configured number within the window), and the
 * launch's guardrail. A recipient's message to the {@code mailto:} unsubscribe address of a campaign message arrives the
 * same ways and is applied as a one-click unsubscribe is. A report is processed once, whichever intake brought it and
 * however often.
 */
@ApplicationScoped
public class InboundReports {

    private static final Logger LOG = Logger.getLogger(InboundReports.class);
    public static final String SOURCE_IMAP = "IMAP";
    /** The consent source of an unsubscribe request sent by mail (the links' are "one-click" and "unsubscribe page"). */
    public static final String MAILTO = "mailto";

    private final Jdbc jdbc;
    private final ReturnPaths returnPaths;
    private final BounceConfig config;
    private final WorkStatuses statuses;
    private final String consentTopic;
    private final MeterRegistry meters;

    public InboundReports(Jdbc jdbc, ReturnPaths returnPaths, BounceConfig config, WorkStatuses statuses,
            @ConfigProperty(name = "crm.outbox.consent-topic", defaultValue = ConsentEvents.DEFAULT_TOPIC) String consentTopic,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.returnPaths = returnPaths;
        this.config = config;
        this.statuses = statuses;
        this.consentTopic = consentTopic;
        this.meters = meters;
    }

    /** What became of one report. {@code understood}: it matched a format (its mailbox copy may be moved away). */
    public record Processed(long reportId, ReportParser.Kind kind, String format, int linked, boolean understood) {
    }

    /** Stores a report as received; a report received before (the same bytes) is not stored again. Returns its ID. */
    public long receive(Connection c, byte[] raw, String source, String receivedBy) throws SQLException {
        return Jdbc.query(c, "SELECT receive_report(?, ?, ?) AS id", r -> r.getLong("id"), source, raw, receivedBy).get(0);
    }

    /** Receives and processes one report in one transaction (the IMAP intake); a report processed before is left as it was. */
    public Processed receiveAndProcess(byte[] raw, String source) {
        return jdbc.inTransaction(c -> {
            long id = receive(c, raw, source, null);
            return processLocked(c, id);
        });
    }

    /**
     * Processes reports received but not yet read (those the HTTP intake stored), each in its own transaction. One that
     * fails is logged and left for the next poll; it does not hold up the reports behind it.
     */
    public int processPending(int max) {
        int done = 0;
        List<Long> skipped = new java.util.ArrayList<>(); // failed here, or being processed by another replica
        while (done + skipped.size() < max) {
            Long[] skip = skipped.toArray(Long[]::new);
            List<Long> next = jdbc.query("""
                    SELECT id FROM inbound_report WHERE processed_at IS NULL AND id <> ALL(?) ORDER BY id LIMIT 1""", r -> r.getLong("id"),
                    (Object) skip);
            if (next.isEmpty()) {
                break;
            }
            long id = next.get(0);
            try {
                boolean processed = jdbc.inTransaction(c -> !Jdbc.query(c,
                        "SELECT 1 FROM inbound_report WHERE id = ? AND processed_at IS NULL FOR UPDATE SKIP LOCKED", r -> 1, id).isEmpty()
                        && processLocked(c, id) != null);
                if (processed) {
                    done++;
                } else {
                    skipped.add(id);
                }
            } catch (RuntimeException e) {
                LOG.warnf("report %d: not processed, the next poll retries it: %s", id, e.toString());
                skipped.add(id);
            }
        }
        return done;
    }

    private Processed processLocked(Connection c, long id) throws SQLException {
        record Row(byte[] raw, String kind, String format, boolean processed) {
        }
        Row row = Jdbc.query(c, "SELECT raw, kind, format, processed_at IS NOT NULL AS processed FROM inbound_report WHERE id = ? FOR UPDATE",
                r -> new Row(r.getBytes("raw"), r.getString("kind"), r.getString("format"), r.getBoolean("processed")), id).get(0);
        if (row.processed()) {
            ReportParser.Kind kind = ReportParser.Kind.valueOf(row.kind());
            return new Processed(id, kind, row.format(), 0, kind != ReportParser.Kind.UNCLASSIFIED);
        }
        OptionalLong leaving = returnPaths.unsubscribeRequestIn(row.raw());
        if (leaving.isPresent()) {
            return unsubscribe(c, id, leaving.getAsLong());
        }
        ReportParser.Report report = ReportParser.parse(row.raw());
        Delivery anchor = anchor(c, report);
        int linked = 0;
        for (ReportParser.Finding f : report.findings()) {
            if (f.address() != null && returnPaths.deliveryIn(f.address() + "@").isPresent()) {
                continue; // our own return path, quoted in the report: not a recipient
            }
            Delivery d = anchor == null ? null : recipient(c, anchor, f, report.findings().size());
            Jdbc.update(c, "INSERT INTO bounce (report_id, delivery_id, address, class, status, diagnostic) VALUES (?, ?, ?, ?, ?, ?)",
                    id, d == null ? null : d.id(), d == null ? f.address() : d.email().toLowerCase(Locale.ROOT), f.cls(), f.status(),
                    f.diagnostic());
            if (d != null) {
                linked++;
                apply(c, id, d, f);
            }
        }
        Jdbc.update(c, "UPDATE inbound_report SET processed_at = now(), kind = ?, format = ? WHERE id = ?", report.kind(), report.format(), id);
        LOG.infof("report %d: %s (%s), %d of %d recipients linked to deliveries", id, report.kind(), report.format(), linked,
                report.findings().size());
        // Counted as read; a transaction that then fails to commit is read (and counted) again, a rare overcount.
        meters.counter("crm.inbound.reports", "kind", report.kind().name()).increment();
        for (ReportParser.Finding f : report.findings()) {
            meters.counter("crm.bounces", "class", f.cls().name()).increment();
        }
        return new Processed(id, report.kind(), report.format(), linked, report.kind() != ReportParser.Kind.UNCLASSIFIED);
    }

    /**
     * Applies a {@code mailto:} unsubscribe request as the one-click link does (all marketing mail; the contact opted out),
     * then empties the stored message: the consent log keeps the act, not the person's mail.
     */
    private Processed unsubscribe(Connection c, long id, long deliveryId) throws SQLException {
        List<Delivery> found = Jdbc.query(c, DELIVERY + " WHERE id = ?", InboundReports::delivery, deliveryId);
        if (!found.isEmpty()) {
            Delivery d = found.get(0);
            suppress(c, d, "UNSUBSCRIBED", MAILTO);
            if (d.contactId() != null && Jdbc.update(c, """
                    UPDATE contact SET opted_out = true, opted_out_at = now(), opt_out_source = ?, updated_at = now()
                    WHERE id = ? AND NOT opted_out""", MAILTO, d.contactId()) == 1) {
                Jdbc.update(c, """
                        INSERT INTO consent_event (contact_id, email, action, source, actor, launch_id, delivery_id)
                        VALUES (?, lower(?), 'OPT_OUT', ?, 'mail-worker', ?, ?)""", d.contactId(), d.email(), MAILTO, d.launchId(), d.id());
                Jdbc.update(c, "INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?)", consentTopic,
                        ConsentEvents.key(d.contactId()), ConsentEvents.json("contact.unsubscribed", d.contactId(), null, d.launchId(), d.id(),
                                null, MAILTO, java.time.Instant.now()));
            }
        }
        Jdbc.update(c, "UPDATE inbound_report SET processed_at = now(), kind = 'UNSUBSCRIBE', format = ?, raw = ''::bytea WHERE id = ?", MAILTO,
                id);
        LOG.infof("report %d: an unsubscribe request by mail for delivery %d%s", id, deliveryId, found.isEmpty() ? " (gone)" : "");
        meters.counter("crm.inbound.reports", "kind", ReportParser.Kind.UNSUBSCRIBE.name()).increment();
        return new Processed(id, ReportParser.Kind.UNSUBSCRIBE, MAILTO, found.size(), true);
    }

    private record Delivery(long id, String email, String messageId, Long launchId, String workKind, long workId, Long contactId) {
    }

    private static final String DELIVERY = """
            SELECT id, email, message_id, launch_id, work_kind, work_id, contact_id FROM delivery""";

    private static Delivery delivery(java.sql.ResultSet r) throws SQLException {
        return new Delivery(r.getLong("id"), r.getString("email"), r.getString("message_id"), (Long) r.getObject("launch_id"),
                r.getString("work_kind"), r.getLong("work_id"), (Long) r.getObject("contact_id"));
    }

    /** The delivery the report names: by its return path, else by the Message-ID of the message it returns. */
    private Delivery anchor(Connection c, ReportParser.Report report) throws SQLException {
        OptionalLong byPath = returnPaths.deliveryIn(report.text());
        if (byPath.isPresent()) {
            List<Delivery> found = Jdbc.query(c, DELIVERY + " WHERE id = ?", InboundReports::delivery, byPath.getAsLong());
            if (!found.isEmpty()) {
                return found.get(0);
            }
        }
        if (report.originalMessageId() != null) {
            List<Delivery> found = Jdbc.query(c, DELIVERY + " WHERE message_id = ? ORDER BY id LIMIT 1", InboundReports::delivery,
                    report.originalMessageId());
            if (!found.isEmpty()) {
                return found.get(0);
            }
        }
        return null;
    }

    /**
     * The delivery of one recipient of the report: the anchor when it is that address, another recipient of the same
     * message (a BULK mail job's), or the anchor when the report names one recipient only (an alias expanded on the way).
     */
    private static Delivery recipient(Connection c, Delivery anchor, ReportParser.Finding f, int findings) throws SQLException {
        if (f.address() == null || f.address().equalsIgnoreCase(anchor.email())) {
            return anchor;
        }
        if (anchor.messageId() != null) {
            List<Delivery> same = Jdbc.query(c, DELIVERY + " WHERE message_id = ? AND work_kind = ? AND work_id = ? AND lower(email) = ?",
                    InboundReports::delivery, anchor.messageId(), anchor.workKind(), anchor.workId(), f.address());
            if (!same.isEmpty()) {
                return same.get(0);
            }
        }
        return findings == 1 ? anchor : null;
    }

    private void apply(Connection c, long reportId, Delivery d, ReportParser.Finding f) throws SQLException {
        String source = "report " + reportId;
        switch (f.cls()) {
            case HARD, SOFT -> {
                String before = Jdbc.query(c, "SELECT bounce FROM delivery WHERE id = ? FOR UPDATE", r -> r.getString("bounce"), d.id()).get(0);
                if (!"HARD".equals(before)) {
                    Jdbc.update(c, "UPDATE delivery SET bounce = ?, bounce_diagnostic = ?, bounced_at = now() WHERE id = ?",
                            f.cls(), diagnostic(f), d.id());
                }
                if (before == null && d.launchId() != null) {
                    Jdbc.update(c, "UPDATE launch SET bounced = bounced + 1 WHERE id = ?", d.launchId());
                }
                if (f.cls() == ReportParser.BounceClass.HARD) {
                    suppress(c, d, "HARD_BOUNCE", source);
                } else if (softBounces(c, d.email()) >= config.softThreshold()) {
                    suppress(c, d, "SOFT_BOUNCES", source + " (" + config.softThreshold() + " soft bounces within " + config.softWindow().toDays()
                            + " days)");
                }
            }
            case COMPLAINT -> {
                int first = Jdbc.update(c, "UPDATE delivery SET complained_at = now() WHERE id = ? AND complained_at IS NULL", d.id());
                if (first == 1 && d.launchId() != null) {
                    Jdbc.update(c, "UPDATE launch SET complained = complained + 1 WHERE id = ?", d.launchId());
                }
                suppress(c, d, "COMPLAINT", source);
            }
            case DELAY -> {
                // Still being retried by a server on the way: recorded, changes nothing.
            }
        }
        if (d.launchId() != null && f.cls() != ReportParser.BounceClass.DELAY) {
            guard(c, d.launchId());
        }
    }

    private static String diagnostic(ReportParser.Finding f) {
        String text = f.diagnostic() == null || f.diagnostic().isEmpty() ? "" : f.diagnostic();
        return f.status() == null || text.contains(f.status()) ? text : (f.status() + " " + text).trim();
    }

    private int softBounces(Connection c, String email) throws SQLException {
        return Jdbc.query(c, "SELECT count(*) AS n FROM bounce WHERE address = ? AND class = 'SOFT' AND created_at > now() - ?::interval",
                r -> r.getInt("n"), email.toLowerCase(Locale.ROOT), config.softWindow().toSeconds() + " seconds").get(0);
    }

    /**
     * Suppresses the address for all marketing mail, once, as api-service's Suppressions does: the entry, the consent log
     * row and the consent event in the outbox (api-service's relay publishes it), in this transaction.
     */
    private void suppress(Connection c, Delivery d, String reason, String source) throws SQLException {
        if (d.email().toLowerCase(Locale.ROOT).endsWith("@" + ErasureKey.PLACEHOLDER_DOMAIN)) {
            return; // erased: the keyed hash already suppresses the person
        }
        int added = Jdbc.update(c, """
                INSERT INTO suppression (address, reason, source, launch_id, delivery_id, actor) VALUES (lower(?), ?, ?, ?, ?, 'mail-worker')
                ON CONFLICT (address, coalesce(list_id, 0)) DO NOTHING""", d.email(), reason, source, d.launchId(), d.id());
        if (added == 1) {
            Jdbc.update(c, """
                    INSERT INTO consent_event (contact_id, email, action, source, actor, launch_id, delivery_id, reason)
                    VALUES (?, lower(?), 'SUPPRESSED', ?, 'mail-worker', ?, ?, ?)""", d.contactId(), d.email(), source, d.launchId(), d.id(),
                    reason);
            Jdbc.update(c, "INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?)", consentTopic, ConsentEvents.key(d.contactId()),
                    ConsentEvents.json("address.suppressed", d.contactId(), null, d.launchId(), d.id(), reason, source, java.time.Instant.now()));
        }
    }

    /** The launch pauses itself when, after enough messages, hard bounces or complaints exceed their share. */
    private void guard(Connection c, long launchId) throws SQLException {
        record Counts(String status, int sent, int complained, int hard) {
        }
        Counts n = Jdbc.query(c, """
                SELECT status, sent, complained, (SELECT count(*) FROM delivery WHERE launch_id = l.id AND bounce = 'HARD') AS hard
                FROM launch l WHERE id = ?""", r -> new Counts(r.getString("status"), r.getInt("sent"), r.getInt("complained"),
                r.getInt("hard")), launchId).get(0);
        BounceConfig.Guardrail g = config.guardrail();
        if (!"RUNNING".equals(n.status()) || n.sent() < g.minMessages()) {
            return;
        }
        String reason = null;
        if (n.hard() * 100.0 > g.hardBouncePercent() * n.sent()) {
            reason = String.format(Locale.ROOT, "hard bounces are %.1f %% of %d sent (more than %s %%)", n.hard() * 100.0 / n.sent(),
                    n.sent(), percent(g.hardBouncePercent()));
        } else if (n.complained() * 100.0 > g.complaintPercent() * n.sent()) {
            reason = String.format(Locale.ROOT, "complaints are %.2f %% of %d sent (more than %s %%)", n.complained() * 100.0 / n.sent(),
                    n.sent(), percent(g.complaintPercent()));
        }
        if (reason != null) {
            LOG.warnf("launch %d: pausing it: %s", launchId, reason);
            statuses.pause(c, WorkRef.launch(launchId), reason);
        }
    }

    private static String percent(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }
}
