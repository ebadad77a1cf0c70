package org.crmbulk.api.contact;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmbulk.api.problem.ProblemException;

import jakarta.ws.rs.core.Response;

/**
 * Streams contacts out of an RFC 4180 CSV file with Apache Commons CSV: one record in memory at a time.
 * The charset is the request's (UTF-8 by default, windows-1250 or ISO-8859-2 as Czech ERPs export) unless
 * a byte order mark says otherwise; the delimiter ({@code ;} or {@code ,}) is the one the header row uses.
 * Every record is accounted for: it becomes a contact request (validated by the caller with the JSON API's
 * rules) or a row error with its line. A structural error (an unterminated quote, text after a closing
 * quote, bytes not in the charset) refuses the whole file: nothing is imported.
 */
final class CsvContactReader {

    /** One record of the file, as the JSON API would have been sent it. */
    record Row(long line, ContactRequest request) {
    }

    /** Header names (case and separators ignored) and the field each one fills. */
    static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("email", "email");
        COLUMNS.put("externalid", "externalId");
        COLUMNS.put("firstname", "firstName");
        COLUMNS.put("lastname", "lastName");
        COLUMNS.put("company", "company");
        COLUMNS.put("language", "language");
        COLUMNS.put("optedout", "optedOut");
    }

    static final String EXPECTED = "email (required), externalId, firstName, lastName, company, language, optedOut, custom.<name>";

    /** The charsets an import may declare. */
    static final List<Charset> CHARSETS = List.of(StandardCharsets.UTF_8, Charset.forName("windows-1250"),
            Charset.forName("ISO-8859-2"));

    private CsvContactReader() {
    }

    static void read(InputStream in, Charset declared, UnknownColumns unknown, Consumer<Row> rows,
            Consumer<UpsertResult.RowError> errors) throws IOException {
        try {
            parse(in, declared, unknown, rows, errors);
        } catch (CharacterCodingException e) {
            throw notInCharset(declared);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw notInCharset(declared);
            }
            throw structural("the file is not valid CSV, nothing was imported: " + e.getCause().getMessage());
        }
    }

    private static void parse(InputStream in, Charset declared, UnknownColumns unknown, Consumer<Row> rows,
            Consumer<UpsertResult.RowError> errors) throws IOException {
        PushbackInputStream bytes = new PushbackInputStream(in, 3);
        Charset charset = byteOrderMark(bytes).orElse(declared);
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        BufferedReader reader = new BufferedReader(new InputStreamReader(bytes, decoder), 1 << 16);
        reader.mark(1 << 16);
        String firstLine = reader.readLine();
        if (firstLine == null || firstLine.isBlank()) {
            throw structural("the file is empty; expected a header row with " + EXPECTED);
        }
        reader.reset();
        char delimiter = count(firstLine, ';') > count(firstLine, ',') ? ';' : ',';
        // Empty lines stay records so that every record's first line is known; they are skipped below.
        CSVFormat format = CSVFormat.RFC4180.builder().setDelimiter(delimiter).setIgnoreEmptyLines(false).get();
        try (CSVParser parser = CSVParser.parse(reader, format)) {
            var records = parser.iterator();
            String[] fields = header(records.next().toList(), unknown);
            long endOfPrevious = parser.getCurrentLineNumber();
            while (records.hasNext()) {
                CSVRecord record = records.next();
                long line = endOfPrevious + 1;
                endOfPrevious = parser.getCurrentLineNumber();
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue;
                }
                if (record.size() != fields.length) {
                    errors.accept(new UpsertResult.RowError(line, "row", "has " + record.size() + " cells; the header has " + fields.length));
                    continue;
                }
                toRow(line, fields, record.toList(), rows, errors);
            }
        }
    }

    private static ProblemException notInCharset(Charset declared) {
        return structural("the file is not valid " + declared.name() + ", nothing was imported; declare its charset, e.g. "
                + "Content-Type: text/csv; charset=windows-1250 (one of " + CHARSETS.stream().map(Charset::name).toList() + ")");
    }

    /** Which charset a byte order mark names, consuming it; none when the file starts without one. */
    private static java.util.Optional<Charset> byteOrderMark(PushbackInputStream in) throws IOException {
        byte[] head = new byte[3];
        int n = in.readNBytes(head, 0, 3);
        if (n == 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
            return java.util.Optional.of(StandardCharsets.UTF_8);
        }
        if (n >= 2 && (head[0] & 0xff) == 0xFE && (head[1] & 0xff) == 0xFF) {
            in.unread(head, 2, n - 2);
            return java.util.Optional.of(StandardCharsets.UTF_16BE);
        }
        if (n >= 2 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xFE) {
            in.unread(head, 2, n - 2);
            return java.util.Optional.of(StandardCharsets.UTF_16LE);
        }
        in.unread(head, 0, n);
        return java.util.Optional.empty();
    }

    private static void toRow(long line, String[] fields, List<String> values, Consumer<Row> rows,
            Consumer<UpsertResult.RowError> errors) {
        Map<String, String> v = new HashMap<>();
        Map<String, Object> custom = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] == null) {
                continue; // an ignored column
            }
            String value = values.get(i);
            if (value.indexOf('\0') >= 0) {
                errors.accept(new UpsertResult.RowError(line, fields[i], "must not contain NUL (U+0000)"));
                return;
            }
            if (fields[i].startsWith("custom.")) {
                if (!value.isEmpty()) {
                    custom.put(fields[i].substring("custom.".length()), value);
                }
            } else if (!value.isBlank()) {
                v.put(fields[i], value.trim());
            }
        }
        Boolean optedOut = null;
        String opt = v.get("optedOut");
        if (opt != null) {
            switch (opt.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "ano", "y", "a" -> optedOut = true;
                case "false", "0", "no", "ne", "n" -> optedOut = false;
                default -> {
                    errors.accept(new UpsertResult.RowError(line, "optedOut", "must be true or false"));
                    return;
                }
            }
        }
        rows.accept(new Row(line, new ContactRequest(v.get("externalId"), v.get("email"), v.get("firstName"), v.get("lastName"),
                v.get("company"), v.get("language"), custom.isEmpty() ? null : custom, optedOut, null)));
    }

    private static String[] header(List<String> names, UnknownColumns policy) {
        String[] fields = new String[names.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String raw = names.get(i).trim();
            if (i == 0 && raw.startsWith("\uFEFF")) {
                raw = raw.substring(1);
            }
            String key = raw.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]", "");
            if (key.startsWith("custom.") && key.length() > "custom.".length()) {
                fields[i] = "custom." + raw.substring(raw.indexOf('.') + 1).trim();
            } else if (COLUMNS.containsKey(key)) {
                fields[i] = COLUMNS.get(key);
            } else if (policy == UnknownColumns.custom && !raw.isEmpty()) {
                fields[i] = "custom." + raw;
            } else if (policy == UnknownColumns.reject || raw.isEmpty()) {
                unknown.add(raw);
            }
        }
        if (!unknown.isEmpty()) {
            throw badHeader("unknown column(s) " + unknown + "; expected " + EXPECTED
                    + " (or import with unknownColumns=ignore or unknownColumns=custom)");
        }
        List<String> named = java.util.Arrays.stream(fields).filter(java.util.Objects::nonNull).toList();
        if (!named.contains("email")) {
            throw badHeader("no email column; expected " + EXPECTED);
        }
        if (named.stream().distinct().count() != named.size()) {
            throw badHeader("a column appears twice; expected " + EXPECTED);
        }
        for (String field : named) {
            if (field.indexOf('\0') >= 0 || field.length() > 200) {
                throw badHeader("a column name is over 200 characters or contains NUL");
            }
        }
        return fields;
    }

    private static ProblemException badHeader(String reason) {
        return new ProblemException(Response.Status.BAD_REQUEST, "CSV header: " + reason, "header", reason);
    }

    private static ProblemException structural(String reason) {
        return new ProblemException(Response.Status.BAD_REQUEST, reason, "body", reason);
    }

    private static int count(String s, char c) {
        int n = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == c && !quoted) {
                n++;
            }
        }
        return n;
    }
}
