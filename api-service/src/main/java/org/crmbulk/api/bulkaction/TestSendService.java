package org.crmbulk.api.bulkaction;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Times;
import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.TestSendStatus;


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
    BulkActionService actions;

    @Transactional
    public TestSend request(long bulkActionId, TestSend.Request request) {
        BulkActionVersion content = actions.currentForUse(bulkActionId)
                .orElseThrow(() -> ProblemException.notFound("bulk action", bulkActionId, "id"));
        if (request.contactId() != null && Contact.findById(request.contactId()) == null) {
            throw ProblemException.notFound("contact", request.contactId(), "contactId");
        }
        String[] addresses = request.addresses().stream().distinct().toArray(String[]::new);
        Number id = (Number) em.createNativeQuery("""
                INSERT INTO test_send (bulk_action_id, content_version_id, contact_id, addresses, status)
                VALUES (?1, ?2, ?3, CAST(?4 AS text[]), ?5) RETURNING id""")
                .setParameter(1, bulkActionId).setParameter(2, content.id).setParameter(3, request.contactId())
                .setParameter(4, addresses).setParameter(5, TestSendStatus.QUEUED.name()).getSingleResult();
        // Each address is a delivery the worker claims as it claims a launch's, rendered for the test's contact.
        em.createNativeQuery("""
                INSERT INTO delivery (test_send_id, contact_id, email, status)
                SELECT ?1, ?2, a.address, ?3 FROM unnest(CAST(?4 AS text[])) WITH ORDINALITY AS a(address, n) ORDER BY a.n""")
                .setParameter(1, id.longValue()).setParameter(2, request.contactId()).setParameter(3, DeliveryStatus.PENDING.name())
                .setParameter(4, addresses).executeUpdate();
        outbox.enqueue(SendJobV1.testSend(id.longValue()));
        return find(id.longValue()).orElseThrow();
    }

    @Transactional
    public Optional<TestSend> find(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT t.id, t.bulk_action_id, v.version, t.contact_id, t.addresses, t.status, t.created_at, t.finished_at
                FROM test_send t JOIN bulk_action_version v ON v.id = t.content_version_id WHERE t.id = ?1""", Tuple.class)
                .setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(r -> {
            String status = r.get("status", String.class);
            return new TestSend(r.get("id", Number.class).longValue(), r.get("bulk_action_id", Number.class).longValue(),
                    r.get("version", Number.class).intValue(), Optional.ofNullable(r.get("contact_id", Number.class)).map(Number::longValue)
                            .orElse(null),
                    Arrays.asList(r.get("addresses", String[].class)), status,
                    TestSendStatus.valueOf(status).isFinal() ? results(id) : null, Times.offset(r.get("created_at")),
                    Times.offset(r.get("finished_at")));
        });
    }

    /** The relay's answer for each address, once the test send is done. */
    private List<TestSend.Result> results(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT email, status, last_reply, message_id FROM delivery WHERE work_kind = ?1 AND work_id = ?2 ORDER BY id""", Tuple.class)
                .setParameter(1, SendJobV1.Kind.TEST_SEND.name()).setParameter(2, id).getResultList();
        return rows.stream().map(r -> new TestSend.Result(r.get("email", String.class),
                DeliveryStatus.SENT.name().equals(r.get("status", String.class)), r.get("last_reply", String.class),
                r.get("message_id", String.class))).toList();
    }
}
