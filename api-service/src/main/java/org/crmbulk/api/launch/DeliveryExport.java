package org.crmbulk.api.launch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;

/** A launch's deliveries as CSV, streamed page by page: a million rows never sit in memory. */
@ApplicationScoped
public class DeliveryExport {

    private static final int PAGE = 5_000;

    @Inject
    DataSource dataSource;

    public StreamingOutput csv(long launchId, String status) {
        return out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            w.write("id,email,status,attempts,last_reply,message_id,possible_duplicate,sent_at,contact_id,activity_id\r\n");
            long after = 0;
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                    SELECT id, email, status, attempts, last_reply, message_id, possible_duplicate, sent_at, contact_id, activity_id
                    FROM delivery WHERE launch_id = ? AND id > ? AND (CAST(? AS text) IS NULL OR status = CAST(? AS text))
                    ORDER BY id LIMIT ?""")) {
                while (true) {
                    s.setLong(1, launchId);
                    s.setLong(2, after);
                    s.setString(3, status);
                    s.setString(4, status);
                    s.setInt(5, PAGE);
                    int rows = 0;
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            rows++;
                            after = rs.getLong(1);
                            for (int i = 1; i <= 10; i++) {
                                if (i > 1) {
                                    w.write(',');
                                }
                                Object v = rs.getObject(i);
                                w.write(cell(v == null ? "" : v instanceof java.sql.Timestamp t ? t.toInstant().toString() : v.toString()));
                            }
                            w.write("\r\n");
                        }
                    }
                    w.flush();
                    if (rows < PAGE) {
                        break;
                    }
                }
            } catch (SQLException e) {
                throw new UncheckedIOException(new IOException(e));
            }
            w.flush();
        };
    }

    // RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula.
    private static String cell(String v) {
        String safe = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }
}
