package org.crmbulk.api.consent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.EmailAddresses;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

/**
 * A suppression list from another tool, as UTF-8 CSV (Apache Commons CSV): {@code email} and optionally {@code listId},
 * {@code reason} (default IMPORTED) and {@code source} (default "import"). Each row is checked alone and reported with
 * its line; a file that is not valid CSV imports nothing. Importing never removes an entry: it cannot re-subscribe.
 */
@ApplicationScoped
public class SuppressionImport {

    static final Set<String> COLUMNS = Set.of("email", "listid", "reason", "source");
    static final int MAX_REPORTED_ERRORS = 1_000;

    /** {@code line} is the CSV line. */
    public record Result(long added, long alreadySuppressed, long rejected, List<RowError> errors) {
    }

    public record RowError(long line, String field, String reason) {
    }

    @Inject
    Suppressions suppressions;

    /** Checks the whole file first (a file that is not valid CSV writes nothing at all), then adds its rows. */
    @Transactional
    public Result run(InputStream body, String actor) {
        Path file = null;
        try {
            file = Files.createTempFile("suppressions", ".csv");
            Files.copy(body, file, StandardCopyOption.REPLACE_EXISTING);
            try (CSVParser csv = parse(file)) {
                csv.forEach(r -> { });
            }
            try (CSVParser csv = parse(file)) {
                return rows(csv, actor);
            }
        } catch (UncheckedIOException | IOException | IllegalStateException e) {
            Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
            throw new ProblemException(Response.Status.BAD_REQUEST, "the file is not valid UTF-8 CSV; nothing was imported", "file",
                    cause instanceof CharacterCodingException || cause.getCause() instanceof CharacterCodingException ? "not UTF-8"
                            : String.valueOf(cause.getMessage()));
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // a temporary file left behind is the operating system's to clean
                }
            }
        }
    }

    private static CSVParser parse(Path file) throws IOException {
        Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        CSVParser csv = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreHeaderCase(true).setTrim(true).get()
                .parse(reader);
        Map<String, Integer> header = csv.getHeaderMap();
        List<String> names = header.keySet().stream().map(h -> h.replace("\uFEFF", "").toLowerCase(Locale.ROOT)).toList();
        if (!names.contains("email") || !COLUMNS.containsAll(names)) {
            csv.close();
            throw ProblemException.badField("file", "the header must name email and may name listId, reason, source; found " + header.keySet());
        }
        return csv;
    }

    private Result rows(CSVParser csv, String actor) {
        long added = 0;
        long already = 0;
        long rejected = 0;
        List<RowError> errors = new ArrayList<>();
        for (CSVRecord r : csv) {
            long line = csv.getCurrentLineNumber();
            String email = value(r, "email");
            String listId = value(r, "listId");
            String reason = value(r, "reason");
            String source = value(r, "source");
            String problem = email == null ? "is required" : EmailAddresses.problem(email).orElse(null);
            RowError error = problem != null ? new RowError(line, "email", problem)
                    : listId != null && !listId.matches("[1-9][0-9]{0,17}") ? new RowError(line, "listId", "must be a positive whole number")
                    : reason != null && !reason.matches("UNSUBSCRIBED|HARD_BOUNCE|COMPLAINT|MANUAL|IMPORTED")
                    ? new RowError(line, "reason", "must be one of UNSUBSCRIBED, HARD_BOUNCE, COMPLAINT, MANUAL, IMPORTED")
                    : source != null && (source.length() > 200 || source.chars().anyMatch(Character::isISOControl))
                    ? new RowError(line, "source", "at most 200 characters, no control characters")
                    : null;
            if (error != null) {
                rejected++;
                if (errors.size() < MAX_REPORTED_ERRORS) {
                    errors.add(error);
                }
            } else if (suppressions.add(new Suppressions.Entry(email, listId == null ? null : Long.valueOf(listId),
                    reason == null ? Suppressions.Reason.IMPORTED : Suppressions.Reason.valueOf(reason), source == null ? "import" : source,
                    null, null, null, actor))) {
                added++;
            } else {
                already++;
            }
        }
        return new Result(added, already, rejected, List.copyOf(errors));
    }

    private static String value(CSVRecord r, String column) {
        for (String name : r.getParser().getHeaderNames()) {
            if (name.replace("\uFEFF", "").equalsIgnoreCase(column)) {
                String v = r.isMapped(name) && r.isSet(name) ? r.get(name) : null;
                return v == null || v.isEmpty() ? null : v;
            }
        }
        return null;
    }
}
