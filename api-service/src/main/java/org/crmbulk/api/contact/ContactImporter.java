package org.crmbulk.api.contact;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.crmbulk.api.consent.Suppressions;
import org.hibernate.Session;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Upserts many contacts at PostgreSQL's bulk speed: rows stream through COPY into a temporary
 * table, then a few set-based statements merge them. A row with an external ID upserts by it;
 * one without matches an existing contact (without external ID) by address, case-insensitively.
 * Empty values keep what the existing contact has. An opt-out in a row is applied and logged; an
 * opted-out contact is never re-subscribed by a row that says it is not (re-consent is an explicit
 * act of its own). Runs inside the caller's transaction.
 */
@ApplicationScoped
public class ContactImporter {

    static final int MAX_REPORTED_ERRORS = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    EntityManager em;

    @Inject
    Suppressions suppressions;

    /** Receives rows as they are read; {@link #finish()} merges them. */
    public interface Batch {
        void row(ContactRow row);

        void error(UpsertResult.RowError error);

        UpsertResult finish();
    }

    /** @param listId when not null, every imported contact also becomes a member of this list */
    public <T> T run(Long listId, String caller, java.util.function.Function<Batch, T> work) {
        List<OptOut> optedOut = new ArrayList<>();
        T result = em.unwrap(Session.class).doReturningWork(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("""
                        CREATE TEMP TABLE contact_import (line bigint, external_id text, email text, first_name text,
                            last_name text, company text, language text, custom_fields jsonb, opted_out boolean) ON COMMIT DROP""");
            }
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY contact_import FROM STDIN");
            CopyBatch batch = new CopyBatch(c, copy, listId, optedOut);
            try {
                return work.apply(batch);
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        });
        // Logged and published by the consent log's one writer, in this transaction.
        optedOut.forEach(o -> suppressions.logContact("OPT_OUT", o.contactId(), o.email(), null, null, "import", caller));
        return result;
    }

    private record OptOut(long contactId, String email) {
    }

    private static final class CopyBatch implements Batch {
        private final Connection c;
        private final CopyIn copy;
        private final Long listId;
        private final List<OptOut> optedOut;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 17);
        private final List<UpsertResult.RowError> errors = new ArrayList<>();
        private long rejected;

        CopyBatch(Connection c, CopyIn copy, Long listId, List<OptOut> optedOut) {
            this.c = c;
            this.copy = copy;
            this.listId = listId;
            this.optedOut = optedOut;
        }

        @Override
        public void row(ContactRow r) {
            StringBuilder line = new StringBuilder(128);
            line.append(r.line());
            for (String v : new String[] {r.externalId(), r.email(), r.firstName(), r.lastName(), r.company(), r.language(),
                    json(r), r.optedOut() == null ? null : r.optedOut().toString()}) {
                line.append('\t');
                escape(line, v);
            }
            line.append('\n');
            byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
            buffer.write(bytes, 0, bytes.length);
            if (buffer.size() > 1 << 16) {
                flush();
            }
        }

        @Override
        public void error(UpsertResult.RowError error) {
            rejected++;
            if (errors.size() < MAX_REPORTED_ERRORS) {
                errors.add(error);
            }
        }

        @Override
        public UpsertResult finish() {
            try {
                flush();
                copy.endCopy();
                update("CREATE INDEX ON contact_import (external_id); ANALYZE contact_import");
                rejectDuplicates("external_id IS NOT NULL", "external_id", "externalId", "same externalId as line ");
                rejectDuplicates("external_id IS NULL", "lower(email)", "email", "same e-mail address as line ");
                long[] byExternalId = upsertByExternalId();
                long updatedByEmail = update("""
                        UPDATE contact c SET email = i.email, first_name = coalesce(i.first_name, c.first_name),
                               last_name = coalesce(i.last_name, c.last_name), company = coalesce(i.company, c.company),
                               language = coalesce(i.language, c.language),
                               custom_fields = c.custom_fields || coalesce(i.custom_fields, '{}'::jsonb), updated_at = now()
                        FROM contact_import i
                        WHERE i.external_id IS NULL AND c.external_id IS NULL AND lower(c.email) = lower(i.email)""");
                long createdByEmail = update("""
                        INSERT INTO contact (email, first_name, last_name, company, language, custom_fields)
                        SELECT i.email, i.first_name, i.last_name, i.company, i.language, coalesce(i.custom_fields, '{}'::jsonb)
                        FROM contact_import i
                        WHERE i.external_id IS NULL
                          AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.external_id IS NULL AND lower(c.email) = lower(i.email))
                        ORDER BY i.line""");
                optOuts();
                if (listId != null) {
                    // A share lock keeps the list from being deleted while members are written.
                    try (Statement s = c.createStatement()) {
                        s.execute("SELECT 1 FROM marketing_list WHERE id = " + listId + " FOR SHARE");
                    }
                    addToList();
                }
                return new UpsertResult(byExternalId[0] + createdByEmail, byExternalId[1] + updatedByEmail, rejected,
                        List.copyOf(errors));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        private long[] upsertByExternalId() throws SQLException {
            // xmax = 0 only on rows this statement inserted: that tells created from updated.
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("""
                    WITH up AS (
                        INSERT INTO contact AS c (external_id, email, first_name, last_name, company, language, custom_fields)
                        SELECT i.external_id, i.email, i.first_name, i.last_name, i.company, i.language,
                               coalesce(i.custom_fields, '{}'::jsonb)
                        FROM contact_import i WHERE i.external_id IS NOT NULL ORDER BY i.line
                        ON CONFLICT (external_id) DO UPDATE SET email = EXCLUDED.email,
                               first_name = coalesce(EXCLUDED.first_name, c.first_name),
                               last_name = coalesce(EXCLUDED.last_name, c.last_name),
                               company = coalesce(EXCLUDED.company, c.company),
                               language = coalesce(EXCLUDED.language, c.language),
                               custom_fields = c.custom_fields || EXCLUDED.custom_fields,
                               updated_at = now()
                        RETURNING (xmax = 0) AS inserted)
                    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up""")) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }

        /**
         * Named query "import opt-outs": rows that say opted out opt their (new or existing) contact out and log it;
         * a row saying not opted out changes nothing, so an import never re-subscribes anyone.
         */
        private void optOuts() throws SQLException {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE contact c SET opted_out = true, opted_out_at = now(), opt_out_source = 'import', updated_at = now()
                    FROM contact_import i
                    WHERE i.opted_out AND NOT c.opted_out
                      AND (i.external_id IS NOT NULL AND c.external_id = i.external_id
                           OR i.external_id IS NULL AND c.external_id IS NULL AND lower(c.email) = lower(i.email))
                    RETURNING c.id, c.email""");
                 ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    optedOut.add(new OptOut(r.getLong(1), r.getString(2)));
                }
            }
        }

        private void addToList() throws SQLException {
            long added = update("INSERT INTO list_member (list_id, contact_id) SELECT " + listId
                    + ", c.id FROM contact_import i JOIN contact c ON c.external_id = i.external_id ON CONFLICT DO NOTHING")
                    + update("INSERT INTO list_member (list_id, contact_id) SELECT " + listId + ", c.id FROM contact_import i "
                            + "JOIN contact c ON c.external_id IS NULL AND lower(c.email) = lower(i.email) "
                            + "WHERE i.external_id IS NULL ON CONFLICT DO NOTHING");
            update("UPDATE marketing_list SET member_count = member_count + " + added + ", updated_at = now() WHERE id = " + listId);
        }

        /** A key seen on an earlier line of the same batch: the later row is rejected, not silently merged. */
        private void rejectDuplicates(String where, String key, String field, String reason) throws SQLException {
            try (PreparedStatement s = c.prepareStatement("""
                    DELETE FROM contact_import i USING (
                        SELECT line, min(line) OVER (PARTITION BY %s) AS first_line FROM contact_import WHERE %s) d
                    WHERE i.line = d.line AND d.line <> d.first_line
                    RETURNING i.line, d.first_line""".formatted(key, where))) {
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        error(new UpsertResult.RowError(rs.getLong(1), field, reason + rs.getLong(2)));
                    }
                }
            }
        }

        private long update(String sql) throws SQLException {
            try (Statement s = c.createStatement()) {
                return s.executeLargeUpdate(sql);
            }
        }

        private void flush() {
            if (buffer.size() == 0) {
                return;
            }
            try {
                copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            buffer.reset();
        }

        private static String json(ContactRow r) {
            try {
                return r.customFields() == null ? null : JSON.writeValueAsString(r.customFields());
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(e);
            }
        }

        // COPY text format: \N is NULL; backslash, tab and line breaks are escaped.
        private static void escape(StringBuilder out, String v) {
            if (v == null) {
                out.append("\\N");
                return;
            }
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                switch (ch) {
                    case '\\' -> out.append("\\\\");
                    case '\t' -> out.append("\\t");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    default -> out.append(ch);
                }
            }
        }
    }
}
