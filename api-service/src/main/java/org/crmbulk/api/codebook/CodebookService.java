package org.crmbulk.api.codebook;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.api.common.Times;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.outbox.OutboxConfig;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.CodebookChanges;
import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.activity.MailTask;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/**
 * Codebooks live in PostgreSQL and are read from it on every use, so no replica ever serves a
 * stale value; every change is audited and published (outbox) on a compacted topic for other systems.
 */
@ApplicationScoped
public class CodebookService {

    static final String NAME_PATTERN = "[A-Za-z0-9_.-]{1,64}";

    @Inject
    EntityManager em;

    @Inject
    Outbox outbox;

    @Inject
    OutboxConfig outboxConfig;

    @Inject
    ObjectMapper json;

    @Transactional
    public List<CodebookEntry.Summary> codebooks() {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(
                "SELECT codebook, count(*) AS entries FROM codebook_entry GROUP BY codebook ORDER BY codebook", Tuple.class).getResultList();
        return rows.stream().map(r -> new CodebookEntry.Summary(r.get("codebook", String.class), r.get("entries", Number.class).longValue()))
                .toList();
    }

    @Transactional
    public List<CodebookEntry> entries(String codebook) {
        name(codebook);
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(
                "SELECT codebook, key, value, description, updated_at, updated_by FROM codebook_entry WHERE codebook = ?1 ORDER BY key",
                Tuple.class).setParameter(1, codebook).getResultList();
        return rows.stream().map(CodebookService::entry).toList();
    }

    @Transactional
    public Optional<CodebookEntry> entry(String codebook, String key) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(
                "SELECT codebook, key, value, description, updated_at, updated_by FROM codebook_entry WHERE codebook = ?1 AND key = ?2",
                Tuple.class).setParameter(1, codebook).setParameter(2, key).getResultList();
        return rows.stream().findFirst().map(CodebookService::entry);
    }

    /** @return true when the entry was created, false when it was changed */
    @Transactional
    public boolean put(String codebook, String key, CodebookEntry.Request request, String changedBy) {
        name(codebook);
        validate(codebook, key, request.value());
        String old = entry(codebook, key).map(CodebookEntry::value).orElse(null);
        em.createNativeQuery("""
                INSERT INTO codebook_entry (codebook, key, value, description, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, now(), ?5)
                ON CONFLICT (codebook, key) DO UPDATE SET value = EXCLUDED.value, description = EXCLUDED.description,
                    updated_at = now(), updated_by = EXCLUDED.updated_by""")
                .setParameter(1, codebook).setParameter(2, key).setParameter(3, request.value())
                .setParameter(4, request.description()).setParameter(5, changedBy).executeUpdate();
        audit(codebook, key, old, request.value(), changedBy);
        outbox.enqueue(outboxConfig.codebooksTopic(), CodebookChanges.key(codebook, key), write(Map.of("codebook", codebook,
                "key", key, "value", request.value(), "description", request.description() == null ? "" : request.description())));
        return old == null;
    }

    @Transactional
    public boolean delete(String codebook, String key, String changedBy) {
        String old = entry(codebook, key).map(CodebookEntry::value).orElse(null);
        if (old == null) {
            return false;
        }
        em.createNativeQuery("DELETE FROM codebook_entry WHERE codebook = ?1 AND key = ?2").setParameter(1, codebook)
                .setParameter(2, key).executeUpdate();
        audit(codebook, key, old, null, changedBy);
        outbox.enqueue(outboxConfig.codebooksTopic(), CodebookChanges.key(codebook, key), null);
        return true;
    }

    @Transactional
    public List<CodebookEntry.Audit> audit(String codebook, String key) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT id, codebook, key, old_value, new_value, changed_by, changed_at FROM codebook_audit
                WHERE codebook = ?1 AND (CAST(?2 AS text) IS NULL OR key = CAST(?2 AS text)) ORDER BY id DESC LIMIT 1000""", Tuple.class)
                .setParameter(1, codebook).setParameter(2, key).getResultList();
        return rows.stream().map(r -> new CodebookEntry.Audit(r.get("id", Number.class).longValue(), r.get("codebook", String.class),
                r.get("key", String.class), r.get("old_value", String.class), r.get("new_value", String.class),
                r.get("changed_by", String.class), Times.offset(r.get("changed_at")))).toList();
    }

    /** The delivery mode of a mail task, as OMAILUL says right now. */
    @Transactional
    public DeliveryMode mode(MailTask task) {
        String value = entry(DeliveryMode.CODEBOOK, task.id()).map(CodebookEntry::value).orElse(null);
        // A value that slipped past validation (written to the table by hand) is an error, not a guess.
        return DeliveryMode.fromCodebook(value).orElseThrow(() -> new IllegalStateException(
                "OMAILUL has an invalid value '" + value + "' for " + task.id() + "; allowed: " + DeliveryMode.CODEBOOK_VALUES));
    }

    private static void validate(String codebook, String key, String value) {
        if (!DeliveryMode.CODEBOOK.equals(codebook)) {
            return;
        }
        if (MailTask.ids().stream().noneMatch(key::equals)) {
            throw ProblemException.badField("key", "OMAILUL keys are the mail task IDs: " + MailTask.ids());
        }
        if (DeliveryMode.fromCodebook(value).isEmpty()) {
            throw ProblemException.badField("value", "OMAILUL values are \" \" or \"\" (individual), \"0\" (bulk), \"1\" (client)");
        }
    }

    private static void name(String codebook) {
        if (codebook == null || !codebook.matches(NAME_PATTERN)) {
            throw ProblemException.badField("codebook", "must match " + NAME_PATTERN);
        }
    }

    private void audit(String codebook, String key, String oldValue, String newValue, String changedBy) {
        em.createNativeQuery("""
                INSERT INTO codebook_audit (codebook, key, old_value, new_value, changed_by) VALUES (?1, ?2, CAST(?3 AS text), CAST(?4 AS text), ?5)""")
                .setParameter(1, codebook).setParameter(2, key).setParameter(3, oldValue).setParameter(4, newValue)
                .setParameter(5, changedBy).executeUpdate();
    }

    private String write(Map<String, String> value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CodebookEntry entry(Tuple r) {
        return new CodebookEntry(r.get("codebook", String.class), r.get("key", String.class), r.get("value", String.class),
                r.get("description", String.class), Times.offset(r.get("updated_at")), r.get("updated_by", String.class));
    }
}
