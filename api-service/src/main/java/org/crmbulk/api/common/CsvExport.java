package org.crmbulk.api.common;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

import javax.sql.DataSource;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import jakarta.ws.rs.core.StreamingOutput;

/**
 * A query's rows as RFC 4180 CSV (Apache Commons CSV), streamed in keyset pages so a million rows never sit in
 * memory. The query selects the key first and takes it as its last-but-one parameter, the page size as its last.
 * A cell starting with =, +, - or @ is prefixed with ' so that spreadsheets do not run it as a formula.
 */
public final class CsvExport {

    private static final int PAGE = 5_000;

    private CsvExport() {
    }

    public static StreamingOutput stream(DataSource dataSource, List<String> header, String pagedSql, Object... filters) {
        return out -> {
            BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            CSVPrinter csv = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new)).get());
            long after = 0;
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(pagedSql)) {
                while (true) {
                    for (int i = 0; i < filters.length; i++) {
                        s.setObject(i + 1, filters[i]);
                    }
                    s.setLong(filters.length + 1, after);
                    s.setInt(filters.length + 2, PAGE);
                    int rows = 0;
                    try (ResultSet rs = s.executeQuery()) {
                        int columns = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            rows++;
                            after = rs.getLong(1);
                            for (int i = 1; i <= columns; i++) {
                                Object v = rs.getObject(i);
                                csv.print(cell(v == null ? "" : v instanceof Timestamp t ? t.toInstant().toString() : v.toString()));
                            }
                            csv.println();
                        }
                    }
                    csv.flush();
                    if (rows < PAGE) {
                        break;
                    }
                }
            } catch (SQLException e) {
                throw new UncheckedIOException(new IOException(e));
            }
            csv.flush();
        };
    }

    private static String cell(String v) {
        return !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
    }
}
