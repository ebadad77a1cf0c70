package org.crmbulk.worker.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.crmbulk.worker.work.StoreException;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The worker's one way to the database: each unit of work is one short transaction, rows are read by
 * column name, and every SQL failure leaves as a {@link StoreException} that says whether it is transient.
 * An array passed alone as the arguments must be cast to {@code Object}, or Java spreads it as varargs.
 */
@ApplicationScoped
public class Jdbc {

    private final DataSource dataSource;

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    public <T> T inTransaction(Work<T> work) {
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

    /** One statement in its own transaction; returns the rows it changed. */
    public int update(String sql, Object... args) {
        return inTransaction(c -> update(c, sql, args));
    }

    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return inTransaction(c -> query(c, sql, mapper, args));
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(c, s, args);
            return s.executeUpdate();
        }
    }

    public static <T> List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(c, s, args);
            List<T> rows = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(mapper.map(rs));
                }
            }
            return rows;
        }
    }

    /** Binds arguments in order; a String[] or Long[] becomes a SQL array (for {@code = ANY(?)}). */
    public static void bind(Connection c, PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof String[] texts) {
                s.setArray(i + 1, c.createArrayOf("text", texts));
            } else if (a instanceof Long[] ids) {
                s.setArray(i + 1, c.createArrayOf("bigint", ids));
            } else if (a instanceof Enum<?> e) {
                s.setString(i + 1, e.name());
            } else if (a instanceof java.time.Instant t) {
                s.setTimestamp(i + 1, java.sql.Timestamp.from(t));
            } else {
                s.setObject(i + 1, a);
            }
        }
    }
}
