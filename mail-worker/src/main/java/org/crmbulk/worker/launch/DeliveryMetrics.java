package org.crmbulk.worker.launch;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Prometheus counters of launch deliveries: what was sent, failed, retried, and possibly sent twice. */
@ApplicationScoped
public class DeliveryMetrics {

    private final Counter possibleDuplicates;
    private final Map<Outcome.Kind, Counter> byOutcome = new EnumMap<>(Outcome.Kind.class);

    DeliveryMetrics(MeterRegistry registry) {
        for (Outcome.Kind kind : Outcome.Kind.values()) {
            byOutcome.put(kind, registry.counter("crm.mail.deliveries", "mode", "launch", "outcome", kind.name().toLowerCase()));
        }
        this.possibleDuplicates = Counter.builder("crm.mail.possible.duplicates")
                .description("Deliveries resent after a claim ran out: the relay may have the message twice (same Message-ID)")
                .tag("mode", "launch").register(registry);
    }

    void claimed(List<ClaimedDelivery> batch) {
        long reclaimed = batch.stream().filter(ClaimedDelivery::reclaimed).count();
        if (reclaimed > 0) {
            possibleDuplicates.increment(reclaimed);
        }
    }

    void outcomes(List<Outcome> outcomes) {
        for (Outcome o : outcomes) {
            byOutcome.get(o.kind()).increment();
        }
    }
}
