package org.crmbulk.api.bulkaction;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Times;
import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.SendJobV1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/** Test sends go through the worker like real mail, so they show what recipients will really get. */
@ApplicationScoped
public class TestSendService {

    @Inject
    EntityManager em;

    @Inject
    Outbox outbox;

    @Inject
    ObjectMapper json;

    @Inject
    BulkActionService actions;

    @Transactional
    public TestSend request(long bulkActionId, TestSend.Request request) {
        BulkActionVersion content = actions.currentForUse(bulkActionId)
                .orElseThrow(() -> ProblemException.notFound("bulk action", bulkActionId, "id"));
        if (request.contactId() != null && Contact.findById(request.contactId()) == null) {
            throw ProblemException.notFound("contact", request.contactId(), "contactId");
        }
        Number id = (Number) em.createNativeQuery("""
                INSERT INTO test_send (bulk_action_id, content_version_id, contact_id, addresses, status)
                VALUES (?1, ?2, ?3, CAST(?4 AS text[]), 'QUEUED') RETURNING id""")
                .setParameter(1, bulkActionId).setParameter(2, content.id).setParameter(3, request.contactId())
                .setParameter(4, request.addresses().stream().distinct().toArray(String[]::new)).getSingleResult();
        outbox.enqueue(SendJobV1.testSend(id.longValue()));
        return find(id.longValue()).orElseThrow();
    }

    @Transactional
    public Optional<TestSend> find(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT t.id, t.bulk_action_id, v.version, t.contact_id, t.addresses, t.status, CAST(t.results AS text) AS results,
                       t.created_at, t.finished_at
                FROM test_send t JOIN bulk_action_version v ON v.id = t.content_version_id WHERE t.id = ?1""", Tuple.class)
                .setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(r -> new TestSend(r.get("id", Number.class).longValue(),
                r.get("bulk_action_id", Number.class).longValue(), r.get("version", Number.class).intValue(),
                Optional.ofNullable(r.get("contact_id", Number.class)).map(Number::longValue).orElse(null),
                Arrays.asList(r.get("addresses", String[].class)), r.get("status", String.class), parse(r.get("results", String.class)),
                Times.offset(r.get("created_at")), Times.offset(r.get("finished_at"))));
    }

    private JsonNode parse(String results) {
        try {
            return results == null ? null : json.readTree(results);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
