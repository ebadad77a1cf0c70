package org.crmbulk.worker.delivery;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import org.crmbulk.worker.smtp.RelayConfig;
import org.crmbulk.worker.smtp.SendResult;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Prometheus meters of mail, by mode (launch, individual, bulk, test) and relay (host:port):
 * every SMTP send and its latency, each delivery's outcome, and possible duplicates.
 */
@ApplicationScoped
public class MailMetrics {

    public enum Mode { LAUNCH, INDIVIDUAL, BULK, TEST }

    private final Map<Mode, Map<SendResult.Kind, Counter>> sends = new EnumMap<>(Mode.class);
    private final Map<Mode, Timer> latency = new EnumMap<>(Mode.class);
    private final Map<Mode, Map<Outcome.Kind, Counter>> deliveries = new EnumMap<>(Mode.class);
    private final Map<Mode, Counter> possibleDuplicates = new EnumMap<>(Mode.class);

    public MailMetrics(MeterRegistry registry, RelayConfig relayConfig) {
        String relay = relayConfig.label();
        for (Mode mode : Mode.values()) {
            String m = lower(mode);
            Map<SendResult.Kind, Counter> byResult = new EnumMap<>(SendResult.Kind.class);
            for (SendResult.Kind kind : SendResult.Kind.values()) {
                byResult.put(kind, Counter.builder("crm.mail.sends").description("SMTP transactions by the relay's answer")
                        .tags("mode", m, "relay", relay, "result", lower(kind)).register(registry));
            }
            sends.put(mode, byResult);
            latency.put(mode, Timer.builder("crm.mail.send.duration")
                    .description("From handing a message to the SMTP client until the relay answered")
                    .tags("mode", m, "relay", relay).publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60)).register(registry));
            Map<Outcome.Kind, Counter> byOutcome = new EnumMap<>(Outcome.Kind.class);
            for (Outcome.Kind outcome : Outcome.Kind.values()) {
                if (outcome == Outcome.Kind.NOT_SENT) {
                    continue; // put back unsent: not an outcome of the delivery
                }
                byOutcome.put(outcome, Counter.builder("crm.mail.deliveries").description("Deliveries by what became of them")
                        .tags("mode", m, "relay", relay, "outcome", lower(outcome)).register(registry));
            }
            deliveries.put(mode, byOutcome);
            possibleDuplicates.put(mode, Counter.builder("crm.mail.possible.duplicates")
                    .description("Deliveries resent after a claim ran out: the relay may have the message twice (same Message-ID)")
                    .tags("mode", m, "relay", relay).register(registry));
        }
    }

    /** Counts the send and its latency when the relay answers; returns the same stage. */
    public CompletionStage<SendResult> send(Mode mode, CompletionStage<SendResult> sending) {
        long started = System.nanoTime();
        return sending.whenComplete((result, failure) -> {
            latency.get(mode).record(Duration.ofNanos(System.nanoTime() - started));
            sends.get(mode).get(result != null ? result.kind() : SendResult.Kind.TEMPORARY).increment();
        });
    }

    public void delivery(Mode mode, Outcome.Kind outcome) {
        deliveries.get(mode).get(outcome).increment();
    }

    public void possibleDuplicates(Mode mode, long count) {
        if (count > 0) {
            possibleDuplicates.get(mode).increment(count);
        }
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
