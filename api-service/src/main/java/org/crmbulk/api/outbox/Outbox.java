package org.crmbulk.api.outbox;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;

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
        em.createNativeQuery("INSERT INTO outbox (topic, message_key, payload) VALUES (?1, ?2, CAST(?3 AS text))")
                .setParameter(1, topic)
                .setParameter(2, key)
                .setParameter(3, payload)
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
