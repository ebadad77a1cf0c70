package org.crmbulk.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/** "Nothing changed", as the tests check it: a fingerprint of every table of the schema. */
final class Tables {

    private Tables() {
    }

    /**
     * "Nothing changed" checked many times in a row: each check's fingerprint after is the next one's before, so a
     * check scans the tables once. {@link #forget()} after anything that writes on purpose (a fixture, a base request).
     */
    static final class Unchanged {

        private Map<String, Object> last;

        /** Taken before the call under test. */
        void before() throws Exception {
            if (last == null) {
                last = fingerprint();
            }
        }

        /** Taken after it: fails when any table changed since {@link #before()}. */
        void check(String what) throws Exception {
            Map<String, Object> before = last;
            last = fingerprint();
            org.assertj.core.api.Assertions.assertThat(last).as(what).isEqualTo(before);
        }

        void forget() {
            last = null;
        }
    }

    /**
     * Per table its row count and the newest row version (xmin), which every insert, update and delete moves;
     * the outbox by its ID sequence only (no row was ever written), since its relay deletes rows of earlier requests meanwhile.
     */
    static synchronized Map<String, Object> fingerprint() throws Exception {
        if (query == null) {
            connection = LaunchApiTest.db(); // kept: a check runs hundreds of times, a new connection each would cost more than it
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                      AND table_name <> 'flyway_schema_history' ORDER BY table_name""")) {
                StringBuilder q = new StringBuilder();
                while (rs.next()) {
                    String t = rs.getString(1);
                    q.append(q.isEmpty() ? "" : " UNION ALL ").append(t.equals("outbox")
                            ? "SELECT 'outbox', 0, last_value FROM outbox_id_seq"
                            : "SELECT '" + t + "', count(*), coalesce(max(xmin::text::bigint), 0) FROM " + t);
                }
                query = q.toString();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2) + "/" + rs.getLong(3));
            }
        }
        return out;
    }

    private static Connection connection;
    private static String query;
}
