package org.crmbulk.worker.smtp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;

import javax.sql.DataSource;

import org.crmbulk.worker.config.DeliveryConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

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
public class RelayRateLimiter {

    /** This relay's second and hour windows that contain the transaction's time. */
    private static final String CURRENT_WINDOWS = """
            WHERE relay = ? AND (unit = 'SECOND' AND window_start = date_trunc('second', now())
                                 OR unit = 'HOUR' AND window_start = date_trunc('hour', now()))""";

    @Inject
    DataSource dataSource;

    @Inject
    DeliveryConfig config;

    @ConfigProperty(name = "quarkus.mailer.host", defaultValue = "127.0.0.1")
    String host;

    @ConfigProperty(name = "quarkus.mailer.port", defaultValue = "25")
    int port;

    public boolean enabled() {
        return config.ratePerSecond().isPresent() || config.ratePerHour().isPresent();
    }

    static final long MIN_WINDOW_LEFT_MS = 150;

    /** What {@link #reserve} granted, until when (this machine's clock) it may be used, and when to ask again if nothing. */
    public record Grant(int permits, Duration retryIn, Instant validUntil) {

        static Grant unlimited(int permits) {
            return new Grant(permits, Duration.ZERO, Instant.MAX);
        }

        /** Whether a message may still be handed to the relay under this grant. */
        public boolean valid() {
            return Instant.now().isBefore(validUntil);
        }
    }

    /**
     * Takes up to {@code wanted} permits from the current windows; permits not used are not
     * given back (the limit is never exceeded, at worst a window is under-used).
     */
    public Grant reserve(int wanted) {
        if (!enabled()) {
            return Grant.unlimited(wanted);
        }
        String relay = relay();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Grant grant = reserve(c, relay, wanted);
                c.commit();
                return grant;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            // The database is away: grant nothing, the caller waits and asks again.
            return new Grant(0, Duration.ofSeconds(1), Instant.now());
        }
    }

    /** Gives back permits reserved but not used (nothing was due), while their windows are still open. */
    public void release(int unused) {
        if (!enabled() || unused <= 0) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE relay_rate_window SET used = greatest(0, used - ?) " + CURRENT_WINDOWS)) {
            s.setInt(1, unused);
            s.setString(2, relay());
            s.executeUpdate();
        } catch (SQLException e) {
            // Not given back: the window is merely under-used.
        }
    }

    /** Blocks until {@code n} permits were granted (for the small activity-mail and test-send paths). */
    public void acquire(int n) throws InterruptedException {
        int left = n;
        while (left > 0) {
            Grant g = reserve(left);
            left -= g.permits();
            if (left > 0 && g.permits() == 0) {
                Thread.sleep(Math.max(10, Math.min(1_000, g.retryIn().toMillis())));
            }
        }
    }

    private Grant reserve(Connection c, String relay, int wanted) throws SQLException {
        long secondLeftMs;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT extract(epoch FROM date_trunc('second', now()) + interval '1 second' - clock_timestamp()) * 1000");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            secondLeftMs = (long) rs.getDouble(1);
        }
        if (config.ratePerSecond().isPresent() && secondLeftMs < MIN_WINDOW_LEFT_MS) {
            return new Grant(0, Duration.ofMillis(Math.max(1, secondLeftMs)), Instant.now());
        }
        Instant validUntil = config.ratePerSecond().isPresent() ? Instant.now().plusMillis(secondLeftMs) : Instant.MAX;
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO relay_rate_window (relay, unit, window_start)
                VALUES (?, 'SECOND', date_trunc('second', now())), (?, 'HOUR', date_trunc('hour', now()))
                ON CONFLICT DO NOTHING""")) {
            s.setString(1, relay);
            s.setString(2, relay);
            if (s.executeUpdate() > 0) {
                // A new window opened: windows older than the hour before are of no use any more.
                try (PreparedStatement d = c.prepareStatement(
                        "DELETE FROM relay_rate_window WHERE relay = ? AND window_start < now() - interval '2 hours'")) {
                    d.setString(1, relay);
                    d.executeUpdate();
                }
            }
        }
        int usedSecond = 0;
        int usedHour = 0;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT unit, used FROM relay_rate_window " + CURRENT_WINDOWS + " ORDER BY unit FOR UPDATE")) {
            s.setString(1, relay);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    if ("SECOND".equals(rs.getString(1))) {
                        usedSecond = rs.getInt(2);
                    } else {
                        usedHour = rs.getInt(2);
                    }
                }
            }
        }
        int grant = wanted;
        grant = Math.min(grant, room(config.ratePerSecond(), usedSecond));
        grant = Math.min(grant, room(config.ratePerHour(), usedHour));
        // A little at a time, so that the replicas share a window rather than the first one taking it all.
        grant = Math.min(grant, chunk());
        if (grant > 0) {
            try (PreparedStatement s = c.prepareStatement("UPDATE relay_rate_window SET used = used + ? " + CURRENT_WINDOWS)) {
                s.setInt(1, grant);
                s.setString(2, relay);
                s.executeUpdate();
            }
            return new Grant(grant, Duration.ZERO, validUntil);
        }
        boolean hourFull = room(config.ratePerHour(), usedHour) == 0;
        try (PreparedStatement s = c.prepareStatement("""
                SELECT extract(epoch FROM date_trunc(?, now()) + make_interval(secs => ?) - clock_timestamp())""")) {
            s.setString(1, hourFull ? "hour" : "second");
            s.setInt(2, hourFull ? 3600 : 1);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Grant(0, Duration.ofMillis(Math.max(1, (long) (rs.getDouble(1) * 1000))), Instant.now());
            }
        }
    }

    /** The relay as host:port: the key of its rate windows, and the relay label of the mail metrics. */
    public String relay() {
        return host + ":" + port;
    }

    private int chunk() {
        int perSecond = config.ratePerSecond().orElse(Integer.MAX_VALUE);
        return Math.max(1, Math.min(config.batchSize(), perSecond / 4));
    }

    private static int room(OptionalInt limit, int used) {
        return limit.isPresent() ? Math.max(0, limit.getAsInt() - used) : Integer.MAX_VALUE;
    }
}
