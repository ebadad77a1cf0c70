package org.crmbulk.api.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Publishes outbox rows to Kafka and deletes them in the same transaction. Rows are locked with
 * SKIP LOCKED, so several api-service replicas share the work without publishing a row twice at
 * once; when Kafka is down the transaction rolls back and the rows wait for the next poll.
 * Delivery to Kafka is at-least-once (a crash after the broker's ack but before the commit
 * republishes); the worker's consumers are idempotent for that reason.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    @Inject
    EntityManager em;

    @Inject
    Producer<String, String> producer;

    @Inject
    OutboxConfig config;

    private volatile boolean failing;

    @Scheduled(every = "${crm.outbox.poll-interval:0.2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        try {
            while (publishBatch() == config.batchSize()) {
                // a full batch means more may be waiting
            }
            if (failing) {
                LOG.info("outbox: publishing to Kafka works again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("outbox: cannot publish to Kafka, will retry: %s", e.getMessage());
                failing = true;
            }
        }
    }

    /** @return how many messages were published */
    int publishBatch() {
        return QuarkusTransaction.requiringNew().call(() -> {
            // Named query "claim outbox batch": oldest first, rows another replica holds are skipped.
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery(
                    "SELECT id, topic, message_key, payload FROM outbox ORDER BY id LIMIT ?1 FOR UPDATE SKIP LOCKED")
                    .setParameter(1, config.batchSize()).getResultList();
            if (rows.isEmpty()) {
                return 0;
            }
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Object[] row : rows) {
                acks.add(producer.send(new ProducerRecord<>((String) row[1], (String) row[2], (String) row[3])));
            }
            long deadline = System.nanoTime() + config.publishTimeout().toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            Long[] ids = rows.stream().map(r -> ((Number) r[0]).longValue()).toArray(Long[]::new);
            em.createNativeQuery("DELETE FROM outbox WHERE id = ANY(CAST(?1 AS bigint[]))").setParameter(1, ids).executeUpdate();
            return rows.size();
        });
    }
}
