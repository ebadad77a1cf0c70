package org.crmbulk.api.bulkaction;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.SendJobV1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
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

    @Transactional
    public TestSend request(long bulkActionId, TestSend.Request request) {
        if (BulkAction.findById(bulkActionId) == null) {
            throw ProblemException.notFound("bulk action", bulkActionId, "id");
        }
        if (request.contactId() != null && Contact.findById(request.contactId()) == null) {
            throw ProblemException.notFound("contact", request.contactId(), "contactId");
        }
        Number id = (Number) em.createNativeQuery("""
                INSERT INTO test_send (bulk_action_id, contact_id, addresses, status) VALUES (?1, ?2, CAST(?3 AS text[]), 'QUEUED')
                RETURNING id""").setParameter(1, bulkActionId).setParameter(2, request.contactId())
                .setParameter(3, request.addresses().stream().distinct().toArray(String[]::new)).getSingleResult();
        outbox.enqueue(SendJobV1.testSend(id.longValue()));
        return find(id.longValue()).orElseThrow();
    }

    @Transactional
    public Optional<TestSend> find(long id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT id, bulk_action_id, contact_id, addresses, status, CAST(results AS text), created_at, finished_at
                FROM test_send WHERE id = ?1""").setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(r -> new TestSend(((Number) r[0]).longValue(), ((Number) r[1]).longValue(),
                r[2] == null ? null : ((Number) r[2]).longValue(), Arrays.asList((String[]) r[3]), (String) r[4],
                parse((String) r[5]), org.crmbulk.api.launch.Times.offset(r[6]), org.crmbulk.api.launch.Times.offset(r[7])));
    }

    private com.fasterxml.jackson.databind.JsonNode parse(String results) {
        try {
            return results == null ? null : json.readTree(results);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
