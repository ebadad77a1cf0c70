package org.crmbulk.worker.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.crmbulk.worker.db.Jdbc;

import jakarta.enterprise.context.ApplicationScoped;

/** The webhook deliveries' rows: claims under a lease, and each attempt's result for the claim that made it. */
@ApplicationScoped
public class WebhookStore {

    /** An active subscription with deliveries due. */
    public record Subscription(long id, String url, String secret) {
    }

    /** A claimed delivery with its event; {@code claim} names this attempt (only its result is recorded). */
    public record Claimed(long id, long subscriptionId, String claim, Instant leaseEnd, int attempts, Instant created, long eventId,
            String type, String subject, Instant eventTime, String data) {
    }

    /** What one attempt came to: DELIVERED, PENDING again at {@code nextAttempt}, or DEAD. */
    public record Result(long id, String claim, String status, Instant nextAttempt, Integer httpStatus, String answer) {
    }

    private final Jdbc jdbc;

    public WebhookStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public List<Subscription> dueSubscriptions() {
        return jdbc.query("""
                SELECT s.id, s.url, s.secret FROM webhook_subscription s
                WHERE s.active AND EXISTS (SELECT 1 FROM webhook_delivery d
                                           WHERE d.subscription_id = s.id AND d.status = 'PENDING' AND d.next_attempt_at <= now())
                ORDER BY s.id""", r -> new Subscription(r.getLong("id"), r.getString("url"), r.getString("secret")));
    }

    /**
     * Claims up to {@code limit} due deliveries of one subscription until the lease ends: nobody else attempts them
     * meanwhile (SKIP LOCKED between replicas; the due time moved to the lease's end). The attempt counts from here.
     */
    public List<Claimed> claim(long subscriptionId, int limit, String claim, Duration lease) {
        return jdbc.query("""
                WITH claimed AS (
                    UPDATE webhook_delivery d SET next_attempt_at = now() + CAST(? AS interval), lease_owner = ?,
                                                  attempts = d.attempts + 1, last_attempt_at = now()
                    WHERE d.id IN (SELECT id FROM webhook_delivery
                                   WHERE subscription_id = ? AND status = 'PENDING' AND next_attempt_at <= now()
                                   ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
                    RETURNING d.id, d.subscription_id, d.next_attempt_at, d.attempts, d.created_at, d.event_id)
                SELECT c.*, e.type, e.subject, e.created_at AS event_time, CAST(e.data AS text) AS data
                FROM claimed c LEFT JOIN event e ON e.id = c.event_id ORDER BY c.id""",
                r -> new Claimed(r.getLong("id"), r.getLong("subscription_id"), claim, r.getTimestamp("next_attempt_at").toInstant(),
                        r.getInt("attempts"), r.getTimestamp("created_at").toInstant(), r.getLong("event_id"), r.getString("type"),
                        r.getString("subject"), r.getTimestamp("event_time") == null ? null : r.getTimestamp("event_time").toInstant(),
                        r.getString("data")),
                lease.toMillis() + " milliseconds", claim, subscriptionId, limit);
    }

    /** Records results in one statement; a result whose claim is no longer the row's (its lease ran out) is ignored. */
    public int record(List<Result> results) {
        if (results.isEmpty()) {
            return 0;
        }
        int n = results.size();
        String[] ids = new String[n];
        String[] claims = new String[n];
        String[] statuses = new String[n];
        String[] next = new String[n];
        String[] codes = new String[n];
        String[] answers = new String[n];
        for (int i = 0; i < n; i++) {
            Result r = results.get(i);
            ids[i] = Long.toString(r.id());
            claims[i] = r.claim();
            statuses[i] = r.status();
            next[i] = r.nextAttempt() == null ? null : r.nextAttempt().toString();
            codes[i] = r.httpStatus() == null ? null : r.httpStatus().toString();
            answers[i] = r.answer();
        }
        return jdbc.update("""
                UPDATE webhook_delivery d SET status = r.status, next_attempt_at = coalesce(r.next_at, d.next_attempt_at),
                       last_status = r.code, last_answer = r.answer, lease_owner = NULL,
                       finished_at = CASE WHEN r.status <> 'PENDING' THEN now() END
                FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]), CAST(? AS int[]),
                            CAST(? AS text[])) AS r(id, claim, status, next_at, code, answer)
                WHERE d.id = r.id AND d.lease_owner = r.claim AND d.status = 'PENDING'""", ids, claims, statuses, next, codes, answers);
    }
}
