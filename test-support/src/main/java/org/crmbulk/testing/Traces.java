package org.crmbulk.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where a piece of personal data is still written: a scan of every column of every table that can hold text. */
public final class Traces {

    private Traces() {
    }

    /** Each table.column (text, varchar, json, jsonb, arrays, bytea) with a value containing the term, case-insensitive. */
    public static List<String> of(Connection c, String term) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("""
                SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
                JOIN information_schema.tables t USING (table_schema, table_name)
                WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                  AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea', 'USER-DEFINED')
                ORDER BY 1, 2""")) {
            while (r.next()) {
                columns.add(new String[] {r.getString(1), r.getString(2), r.getString(3)});
            }
        }
        List<String> found = new ArrayList<>();
        for (String[] col : columns) {
            String value = col[2].equals("bytea") ? "encode(\"" + col[1] + "\", 'escape')" : "CAST(\"" + col[1] + "\" AS text)";
            try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM \"" + col[0] + "\" WHERE position(? IN lower(" + value + ")) > 0")) {
                p.setString(1, term.toLowerCase(Locale.ROOT));
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        found.add(col[0] + "." + col[1] + " (" + r.getLong(1) + " rows contain " + term + ")");
                    }
                }
            }
        }
        return found;
    }
}
