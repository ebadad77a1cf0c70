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
        em.createNativeQuery("INSERT INTO outbox (topic, message_key, payload) VALUES (?1, ?2, ?3)")
                .setParameter(1, config.sendJobsTopic())
                .setParameter(2, job.key())
                .setParameter(3, SendJobs.toJson(job))
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
