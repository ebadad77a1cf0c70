package org.crmbulk.worker.work;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.crmbulk.contract.template.TemplateLimits;
import org.crmbulk.worker.Configs;
import org.crmbulk.worker.bounce.BounceConfig;
import org.crmbulk.worker.bounce.ReturnPaths;
import org.crmbulk.worker.config.ConsentConfig;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.delivery.DeliveryDriver;
import org.crmbulk.worker.delivery.DeliveryPolicy;
import org.crmbulk.worker.delivery.MailMetrics;
import org.crmbulk.worker.delivery.TemplateContent;
import org.crmbulk.worker.runner.Sweeper;
import org.crmbulk.worker.runner.WorkRunner;
import org.crmbulk.worker.smtp.RelayConfig;
import org.crmbulk.worker.smtp.RelayPermits;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.smallrye.config.SmallRyeConfig;

/**
 * The worker's engine (driver, policy, runner, sweep) wired by hand over the in-memory store and a scripted
 * relay, with its typed config read by SmallRye Config as in the service.
 */
public final class Engine implements AutoCloseable {

    /** The bounce domain the engine's return paths are on. */
    public static final String BOUNCE_DOMAIN = "bounces.shop.example.cz";

    public final InMemoryStore store = new InMemoryStore();
    public final ScriptedRelay relay = new ScriptedRelay();
    public final DeliveryConfig config;
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final DeliveryDriver driver;

    /** Settings over short test defaults, as {@code mail.delivery.*} keys without the prefix, e.g. "batch-size", "1". */
    public Engine(String... settings) {
        Map<String, String> values = new HashMap<>(Map.of("batch-size", "2", "loops-per-launch", "1", "retry-delay", "40ms",
                "max-retry-delay", "80ms", "claim-lease", "2s", "work-lease", "2s", "sweep-interval", "1s", "queued-grace", "1s",
                "pause-after-consecutive-failures", "50"));
        for (int i = 0; i < settings.length; i += 2) {
            values.put(settings[i], settings[i + 1]);
        }
        Map<String, String> properties = new HashMap<>();
        values.forEach((k, v) -> properties.put("mail.delivery." + k, v));
        properties.put("crm.bounce.domain", BOUNCE_DOMAIN);
        SmallRyeConfig smallRye = Configs.of(properties);
        config = smallRye.getConfigMapping(DeliveryConfig.class);
        RelayPermits unlimited = new RelayPermits() {
            @Override
            public Grant reserve(int wanted) {
                return Grant.unlimited(wanted);
            }

            @Override
            public void release(Grant grant, int unused) {
            }
        };
        driver = new DeliveryDriver(store, relay, unlimited, new DeliveryPolicy(config), config,
                new MailMetrics(meters, smallRye.getConfigMapping(RelayConfig.class)), smallRye.getConfigMapping(TemplateLimits.class),
                OpenTelemetry.noop().getTracer("test"), new ReturnPaths(smallRye.getConfigMapping(BounceConfig.class),
                        UnsubscribeTokens.parse(smallRye.getConfigMapping(ConsentConfig.class).unsubscribeKeys())));
    }

    /** A runner over the same store: one per simulated worker process. */
    public WorkRunner runner() {
        return new WorkRunner(store, driver, config, OpenTelemetry.noop().getTracer("test"));
    }

    public Sweeper sweeper(WorkRunner runner) {
        return new Sweeper(store, runner, config);
    }

    /** A bulk action's version with a personalized subject, as a launch or a test send freezes it. */
    public static TemplateContent newsletter(MailMetrics.Mode mode) {
        return new TemplateContent(1, "news@shop.example.cz", "Shop", null, "Hello {contact.firstName}", "Body for {contact.email}",
                null, List.of(), Optional.empty(), mode, Optional.empty());
    }

    @Override
    public void close() {
        relay.close();
    }
}
