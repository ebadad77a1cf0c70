package org.crmbulk.api.outbox;

import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;

/**
 * The outbox's backlog as gauges: messages waiting for Kafka and the age of the oldest. Refreshed
 * on a timer rather than per scrape, so a slow database never stalls /q/metrics.
 */
@ApplicationScoped
public class OutboxMetrics {

    private static final Logger LOG = Logger.getLogger(OutboxMetrics.class);

    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestAgeSeconds = new AtomicLong();

    @Inject
    EntityManager em;

    OutboxMetrics(MeterRegistry registry) {
        Gauge.builder("crm.outbox.backlog", backlog, AtomicLong::get)
                .description("Messages written to the outbox and not yet published to Kafka").register(registry);
        Gauge.builder("crm.outbox.oldest.age.seconds", oldestAgeSeconds, AtomicLong::get)
                .description("How long the oldest unpublished outbox message has waited").register(registry);
    }

    @Scheduled(every = "${crm.metrics.refresh-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            Tuple row = QuarkusTransaction.requiringNew().call(() -> (Tuple) em.createNativeQuery(
                    "SELECT count(*) AS backlog, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS oldest FROM outbox",
                    Tuple.class).getSingleResult());
            backlog.set(row.get("backlog", Number.class).longValue());
            oldestAgeSeconds.set(row.get("oldest", Number.class).longValue());
        } catch (RuntimeException e) {
            LOG.debugf("outbox gauges not refreshed: %s", e.getMessage());
        }
    }
}
