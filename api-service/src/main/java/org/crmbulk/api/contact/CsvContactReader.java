package org.crmbulk.api.contact;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.EmailAddresses;

import jakarta.ws.rs.core.Response;

/**
 * Streams contacts out of CSV (RFC 4180 quoting, UTF-8, {@code ;} or {@code ,} as the header row
 * shows): one row in memory at a time. Valid rows go to {@code rows}, invalid ones to {@code errors}
 * with their line and field; a bad header refuses the whole file before any row is read.
 */
final class CsvContactReader {

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

    private static final Map<String, Integer> MAX_LENGTH = Map.of("externalId", 200, "firstName", 200, "lastName", 200,
            "company", 300, "language", 35);

    private CsvContactReader() {
    }

    static void read(InputStream in, Consumer<ContactRow> rows, Consumer<UpsertResult.RowError> errors) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        String headerLine = reader.readLine();
        if (headerLine == null) {
            throw badHeader("the file is empty; expected a header row with " + EXPECTED);
        }
        if (headerLine.startsWith("\uFEFF")) {
            headerLine = headerLine.substring(1);
        }
        char delimiter = count(headerLine, ';') > count(headerLine, ',') ? ';' : ',';
        String[] fields = header(parse(headerLine, delimiter));
        long[] line = {1};
        List<String> values = new ArrayList<>(fields.length);
        StringBuilder cell = new StringBuilder();
        String text;
        while ((text = reader.readLine()) != null) {
            line[0]++;
            long firstLine = line[0];
            // A quoted cell may span lines: keep reading until its closing quote.
            while (!complete(text)) {
                String next = reader.readLine();
                if (next == null) {
                    break;
                }
                line[0]++;
                text = text + "\n" + next;
            }
            if (text.isBlank()) {
                continue;
            }
            values.clear();
            split(text, delimiter, values, cell);
            if (values.size() != fields.length) {
                errors.accept(new UpsertResult.RowError(firstLine, "row",
                        "has " + values.size() + " cells; the header has " + fields.length));
                continue;
            }
            toRow(firstLine, fields, values, rows, errors);
        }
    }

    private static void toRow(long line, String[] fields, List<String> values, Consumer<ContactRow> rows,
            Consumer<UpsertResult.RowError> errors) {
        Map<String, String> v = new HashMap<>();
        Map<String, Object> custom = null;
        for (int i = 0; i < fields.length; i++) {
            String value = values.get(i).trim();
            if (value.isEmpty()) {
                continue;
            }
            if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                errors.accept(new UpsertResult.RowError(line, fields[i], "must not contain CR, LF or other control characters"));
                return;
            }
            Integer max = MAX_LENGTH.get(fields[i]);
            if (max != null && value.length() > max) {
                errors.accept(new UpsertResult.RowError(line, fields[i], "must be at most " + max + " characters"));
                return;
            }
            if (fields[i].startsWith("custom.")) {
                if (custom == null) {
                    custom = new HashMap<>();
                }
                custom.put(fields[i].substring("custom.".length()), value);
            } else {
                v.put(fields[i], value);
            }
        }
        String email = v.get("email");
        if (email == null) {
            errors.accept(new UpsertResult.RowError(line, "email", "is required"));
            return;
        }
        String problem = EmailAddresses.problem(email).orElse(null);
        if (problem != null) {
            errors.accept(new UpsertResult.RowError(line, "email", "'" + email + "' is not a valid e-mail address: " + problem));
            return;
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
        rows.accept(new ContactRow(line, v.get("externalId"), email, v.get("firstName"), v.get("lastName"),
                v.get("company"), v.get("language"), custom, optedOut));
    }

    private static String[] header(List<String> names) {
        String[] fields = new String[names.size()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String raw = names.get(i).trim();
            String key = raw.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]", "");
            if (key.startsWith("custom.") && key.length() > "custom.".length()) {
                fields[i] = "custom." + raw.substring(raw.indexOf('.') + 1).trim();
            } else if (COLUMNS.containsKey(key)) {
                fields[i] = COLUMNS.get(key);
            } else {
                unknown.add(raw);
            }
        }
        if (!unknown.isEmpty()) {
            throw badHeader("unknown column(s) " + unknown + "; expected " + EXPECTED);
        }
        if (!List.of(fields).contains("email")) {
            throw badHeader("no email column; expected " + EXPECTED);
        }
        if (List.of(fields).stream().distinct().count() != fields.length) {
            throw badHeader("a column appears twice; expected " + EXPECTED);
        }
        return fields;
    }

    private static ProblemException badHeader(String reason) {
        return new ProblemException(Response.Status.BAD_REQUEST, "CSV header: " + reason, "header", reason);
    }

    private static List<String> parse(String line, char delimiter) {
        List<String> values = new ArrayList<>();
        split(line, delimiter, values, new StringBuilder());
        return values;
    }

    private static boolean complete(String text) {
        return count(text, '"') % 2 == 0;
    }

    private static void split(String text, char delimiter, List<String> out, StringBuilder cell) {
        cell.setLength(0);
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == delimiter) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
    }

    private static int count(String s, char c) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == c) {
                n++;
            }
        }
        return n;
    }
}
