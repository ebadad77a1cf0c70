package org.crmbulk.api.outbox;

import java.util.HashMap;
import java.util.Map;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

/** Writes messages for Kafka into the caller's transaction; {@link OutboxRelay} publishes them after commit. */
@ApplicationScoped
public class Outbox {

    /** The W3C trace-context header, in the outbox row and on the Kafka record alike. */
    public static final String TRACEPARENT = "traceparent";

    @Inject
    EntityManager em;

    @Inject
    OutboxConfig config;

    @Inject
    OutboxRelay relay;

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(SendJobV1 job) {
        enqueue(config.sendJobsTopic(), job.key(), SendJobs.toJson(job));
    }

    /** @param payload null publishes a tombstone (compacted topics) */
    @Transactional(Transactional.TxType.MANDATORY)
    public void enqueue(String topic, String key, String payload) {
        Map<String, String> trace = new HashMap<>();
        W3CTraceContextPropagator.getInstance().inject(Context.current(), trace, Map::put);
        em.createNativeQuery("""
                INSERT INTO outbox (topic, message_key, payload, trace_parent)
                VALUES (?1, ?2, CAST(?3 AS text), CAST(?4 AS text))""")
                .setParameter(1, topic)
                .setParameter(2, key)
                .setParameter(3, payload)
                .setParameter(4, trace.get(TRACEPARENT))
                .executeUpdate();
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    relay.wakeUp();
                }
            }
        });
    }
}
