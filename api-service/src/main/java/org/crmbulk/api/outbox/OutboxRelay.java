package org.crmbulk.api.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.crmbulk.api.common.Times;
import org.crmbulk.contract.events.CloudEvents;
import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;

/**
 * Publishes outbox rows to Kafka and deletes them in the same transaction. Rows are locked with
 * SKIP LOCKED, so several api-service replicas share the work without publishing a row twice at
 * once; when Kafka is down the transaction rolls back and the rows wait for the next round.
 * Delivery to Kafka is at-least-once (a crash after the broker's ack but before the commit
 * republishes); the worker's consumers are idempotent for that reason.
 * One relay thread per replica: woken right after a commit that wrote to the outbox, and every
 * poll interval in any case (rows written by another replica, or left by a failed round).
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

    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean running;
    private volatile boolean failing;
    private Thread thread;

    void onStart(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        wakeUp();
        if (thread != null) {
            thread.join(config.publishTimeout().toMillis() + 1_000);
        }
    }

    /** Called after a commit that wrote outbox rows. */
    public void wakeUp() {
        wakeUps.release();
    }

    private void loop() {
        while (running) {
            try {
                wakeUps.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
                publishAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void publishAll() throws InterruptedException {
        try {
            while (running && publishBatch() == config.batchSize()) {
                // a full batch means more may be waiting
            }
            if (failing) {
                LOG.info("outbox: publishing to Kafka works again");
                failing = false;
            }
        } catch (RuntimeException e) {
            if (!failing) {
                LOG.warnf("outbox: cannot publish, will retry every %s: %s", config.pollInterval(), e.getMessage());
                failing = true;
            }
        }
    }

    /** What one round did: how many messages it published, or why it could not (its rows' attempts are recorded). */
    private record Round(int published, Exception failure) {
    }

    /** @return how many messages were published */
    int publishBatch() {
        Round round = QuarkusTransaction.requiringNew().call(this::claimAndPublish);
        if (round.failure() != null) {
            throw new IllegalStateException(round.failure().getMessage(), round.failure());
        }
        return round.published();
    }

    /** An event of the log as a structured CloudEvent on the events topic (the row's topic is the marker "@events"). */
    private ProducerRecord<String, String> event(Tuple row) {
        String json = CloudEvents.json(CloudEvents.of(row.get("event_id", Number.class).longValue(), row.get("type", String.class),
                row.get("subject", String.class), Times.offset(row.get("created_at")), row.get("data", String.class)));
        ProducerRecord<String, String> record = new ProducerRecord<>(config.eventsTopic(), row.get("message_key", String.class), json);
        record.headers().add("content-type", CloudEvents.CONTENT_TYPE.getBytes(StandardCharsets.US_ASCII));
        return record;
    }

    private Round claimAndPublish() {
        // Named query "claim outbox batch": oldest first, rows another replica holds are skipped.
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT o.id, o.topic, o.message_key, o.payload, o.trace_parent, o.event_id, e.type, e.subject, e.created_at,
                       CAST(e.data AS text) AS data
                FROM outbox o LEFT JOIN event e ON e.id = o.event_id
                ORDER BY o.id LIMIT ?1 FOR UPDATE OF o SKIP LOCKED""", Tuple.class)
                .setParameter(1, config.batchSize()).getResultList();
        if (rows.isEmpty()) {
            return new Round(0, null);
        }
        Long[] ids = rows.stream().map(r -> r.get("id", Number.class).longValue()).toArray(Long[]::new);
        try {
            List<Future<RecordMetadata>> acks = new ArrayList<>(rows.size());
            for (Tuple row : rows) {
                ProducerRecord<String, String> record = row.get("event_id") == null
                        ? new ProducerRecord<>(row.get("topic", String.class), row.get("message_key", String.class), row.get("payload", String.class))
                        : event(row);
                String traceParent = row.get("trace_parent", String.class);
                if (traceParent != null) {
                    record.headers().add(Outbox.TRACEPARENT, traceParent.getBytes(StandardCharsets.US_ASCII));
                }
                acks.add(producer.send(record));
            }
            long deadline = System.nanoTime() + config.publishTimeout().toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Round(0, e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The rows stay for the next round, each saying how often it failed and why: an operator's first question.
            em.createNativeQuery("UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ANY(CAST(?1 AS bigint[]))")
                    .setParameter(1, ids).setParameter(2, String.valueOf(e)).executeUpdate();
            return new Round(0, e);
        }
        em.createNativeQuery("DELETE FROM outbox WHERE id = ANY(CAST(?1 AS bigint[]))").setParameter(1, ids).executeUpdate();
        return new Round(rows.size(), null);
    }
}
