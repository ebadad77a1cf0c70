package org.crmbulk.worker.smtp;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.work.StoreException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The relay's rate limit (messages per second and per hour), held across every worker replica:
 * permits are taken from per-window counters in PostgreSQL, in one short transaction that locks
 * the window's rows. Fixed clock windows of the database's clock, so all replicas agree on them.
 * A permit is good only inside its second: none is granted in a window's last {@value #MIN_WINDOW_LEFT_MS} ms,
 * and a message whose window has passed before it is handed to the relay waits for a new one, so the
 * relay never sees more than twice the per-second limit in any second.
 */
@ApplicationScoped
public class RelayRateLimiter implements RelayPermits {

    /** This relay's second and hour windows that contain the transaction's time. */
    private static final String CURRENT_WINDOWS = """
            WHERE relay = ? AND (unit = 'SECOND' AND window_start = date_trunc('second', now())
                                 OR unit = 'HOUR' AND window_start = date_trunc('hour', now()))""";

    @Inject
    Jdbc jdbc;

    @Inject
    DeliveryConfig config;

    @Inject
    RelayConfig relayConfig;

    public boolean enabled() {
        return config.ratePerSecond().isPresent() || config.ratePerHour().isPresent();
    }

    static final long MIN_WINDOW_LEFT_MS = 150;

    /**
     * Takes up to {@code wanted} permits from the current windows; the limit is never exceeded, and
     * permits a caller did not use go back through {@link #release}.
     */
    @Override
    public Grant reserve(int wanted) {
        if (!enabled()) {
            return Grant.unlimited(wanted);
        }
        try {
            return jdbc.inTransaction(c -> reserve(c, relayConfig.label(), wanted));
        } catch (StoreException e) {
            // The database is away: grant nothing, the caller waits and asks again.
            return Grant.none(Duration.ofSeconds(1));
        }
    }

    @Override
    public void release(Grant grant, int unused) {
        if (!enabled() || unused <= 0 || grant.hour() == null) {
            return;
        }
        try {
            jdbc.update("""
                    UPDATE relay_rate_window SET used = greatest(0, used - ?)
                    WHERE relay = ? AND (unit = 'SECOND' AND window_start = ? OR unit = 'HOUR' AND window_start = ?)""",
                    unused, relayConfig.label(), java.sql.Timestamp.from(grant.second()), java.sql.Timestamp.from(grant.hour()));
        } catch (StoreException e) {
            // Not given back: the window is merely under-used.
        }
    }

    private Grant reserve(Connection c, String relay, int wanted) throws SQLException {
        record Now(long secondLeftMs, Instant second, Instant hour) {
        }
        Now now = Jdbc.query(c, """
                SELECT extract(epoch FROM date_trunc('second', now()) + interval '1 second' - clock_timestamp()) * 1000 AS ms,
                       date_trunc('second', now()) AS second, date_trunc('hour', now()) AS hour""",
                r -> new Now((long) r.getDouble("ms"), r.getTimestamp("second").toInstant(), r.getTimestamp("hour").toInstant())).get(0);
        long secondLeftMs = now.secondLeftMs();
        if (config.ratePerSecond().isPresent() && secondLeftMs < MIN_WINDOW_LEFT_MS) {
            return Grant.none(Duration.ofMillis(Math.max(1, secondLeftMs)));
        }
        Instant validUntil = config.ratePerSecond().isPresent() ? Instant.now().plusMillis(secondLeftMs) : Instant.MAX;
        int opened = Jdbc.update(c, """
                INSERT INTO relay_rate_window (relay, unit, window_start)
                VALUES (?, 'SECOND', date_trunc('second', now())), (?, 'HOUR', date_trunc('hour', now()))
                ON CONFLICT DO NOTHING""", relay, relay);
        if (opened > 0) {
            // A new window opened: windows older than the hour before are of no use any more.
            Jdbc.update(c, "DELETE FROM relay_rate_window WHERE relay = ? AND window_start < now() - interval '2 hours'", relay);
        }
        Map<String, Integer> used = new HashMap<>();
        Jdbc.query(c, "SELECT unit, used FROM relay_rate_window " + CURRENT_WINDOWS + " ORDER BY unit FOR UPDATE",
                r -> used.put(r.getString("unit"), r.getInt("used")), relay);
        int usedSecond = used.getOrDefault("SECOND", 0);
        int usedHour = used.getOrDefault("HOUR", 0);
        int grant = wanted;
        grant = Math.min(grant, room(config.ratePerSecond(), usedSecond));
        grant = Math.min(grant, room(config.ratePerHour(), usedHour));
        // A little at a time, so that the replicas share a window rather than the first one taking it all.
        grant = Math.min(grant, chunk());
        if (grant > 0) {
            Jdbc.update(c, "UPDATE relay_rate_window SET used = used + ? " + CURRENT_WINDOWS, grant, relay);
            return new Grant(grant, Duration.ZERO, validUntil, now.second(), now.hour());
        }
        boolean hourFull = room(config.ratePerHour(), usedHour) == 0;
        double secondsLeft = Jdbc.query(c, """
                SELECT extract(epoch FROM date_trunc(?, now()) + make_interval(secs => ?) - clock_timestamp()) AS s""",
                r -> r.getDouble("s"), hourFull ? "hour" : "second", hourFull ? 3600 : 1).get(0);
        return Grant.none(Duration.ofMillis(Math.max(1, (long) (secondsLeft * 1000))));
    }

    private int chunk() {
        int perSecond = config.ratePerSecond().orElse(Integer.MAX_VALUE);
        return Math.max(1, Math.min(config.batchSize(), perSecond / 4));
    }

    private static int room(OptionalInt limit, int used) {
        return limit.isPresent() ? Math.max(0, limit.getAsInt() - used) : Integer.MAX_VALUE;
    }
}
