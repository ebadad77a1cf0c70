package org.crmbulk.api.launch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** Launches by status as a gauge ({@code crm_launches{status="RUNNING"}}), refreshed on a timer like the outbox's. */
@ApplicationScoped
public class LaunchMetrics {

    private static final Logger LOG = Logger.getLogger(LaunchMetrics.class);

    private final Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();

    @Inject
    EntityManager em;

    LaunchMetrics(MeterRegistry registry) {
        for (String status : LaunchService.LAUNCH_STATUSES) {
            AtomicLong count = byStatus.computeIfAbsent(status, s -> new AtomicLong());
            Gauge.builder("crm.launches", count, AtomicLong::get).description("Launches by status").tag("status", status)
                    .register(registry);
        }
    }

    @Scheduled(every = "${crm.metrics.refresh-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = QuarkusTransaction.requiringNew().call(
                    () -> em.createNativeQuery("SELECT status, count(*) FROM launch GROUP BY status").getResultList());
            Map<String, Long> counts = rows.stream().collect(Collectors.toMap(r -> (String) r[0], r -> ((Number) r[1]).longValue()));
            byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
        } catch (RuntimeException e) {
            LOG.debugf("launch gauges not refreshed: %s", e.getMessage());
        }
    }
}
