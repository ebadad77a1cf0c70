package org.crmbulk.api;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** "Nothing changed", as the tests check it: a fingerprint of every table of the schema. */
final class Tables {

    private Tables() {
    }

    /**
     * Per table its row count and the newest row version (xmin), which every insert, update and delete moves;
     * the outbox by its ID sequence only (no row was ever written), since its relay deletes rows of earlier requests meanwhile.
     */
    static Map<String, Object> fingerprint() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = LaunchApiTest.db(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("""
                    SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
                      AND table_name <> 'flyway_schema_history' ORDER BY table_name""")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            StringBuilder query = new StringBuilder();
            for (String t : tables) {
                query.append(query.isEmpty() ? "" : " UNION ALL ").append(t.equals("outbox")
                        ? "SELECT 'outbox', 0, last_value FROM outbox_id_seq"
                        : "SELECT '" + t + "', count(*), coalesce(max(xmin::text::bigint), 0) FROM " + t);
            }
            try (ResultSet rs = s.executeQuery(query.toString())) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2) + "/" + rs.getLong(3));
                }
            }
        }
        return out;
    }
}
