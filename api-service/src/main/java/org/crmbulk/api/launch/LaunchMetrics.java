package org.crmbulk.api.launch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.crmbulk.contract.status.LaunchStatus;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;

/** Launches by status as a gauge ({@code crm_launches{status="RUNNING"}}), refreshed on a timer like the outbox's. */
@ApplicationScoped
public class LaunchMetrics {

    private static final Logger LOG = Logger.getLogger(LaunchMetrics.class);

    private final Map<String, AtomicLong> byStatus = new ConcurrentHashMap<>();

    @Inject
    EntityManager em;

    LaunchMetrics(MeterRegistry registry) {
        for (String status : LaunchService.names(LaunchStatus.values())) {
            AtomicLong count = byStatus.computeIfAbsent(status, s -> new AtomicLong());
            Gauge.builder("crm.launches", count, AtomicLong::get).description("Launches by status").tag("status", status)
                    .register(registry);
        }
    }

    @Scheduled(every = "${crm.metrics.refresh-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            @SuppressWarnings("unchecked")
            List<Tuple> rows = QuarkusTransaction.requiringNew().call(
                    () -> em.createNativeQuery("SELECT status, count(*) AS n FROM launch GROUP BY status", Tuple.class).getResultList());
            Map<String, Long> counts = rows.stream().collect(Collectors.toMap(r -> r.get("status", String.class),
                    r -> r.get("n", Number.class).longValue()));
            byStatus.forEach((status, gauge) -> gauge.set(counts.getOrDefault(status, 0L)));
        } catch (RuntimeException e) {
            LOG.debugf("launch gauges not refreshed: %s", e.getMessage());
        }
    }
}
