package org.crmbulk.worker;

import java.time.Duration;
import java.util.Map;

import org.crmbulk.contract.template.TemplateLimits;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.smtp.RelayConfig;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The worker's typed config read by SmallRye Config from given properties, as the service reads it (durations as "10s"). */
public final class Configs {

    /** The secrets the service has no default for, as its test profile sets them. */
    private static final Map<String, String> SECRETS = Map.of(
            "crm.consent.unsubscribe-keys", "test=unsubscribe-test-key-0123456789abcdefghij",
            "crm.consent.public-base-url", "http://localhost",
            "crm.consent.erasure-key", "erasure-test-key-0123456789abcdefghijklmn");

    private Configs() {
    }

    public static SmallRyeConfig of(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(DeliveryConfig.class).withMapping(RelayConfig.class).withMapping(TemplateLimits.class)
                .withMapping(org.crmbulk.worker.smtp.DkimConfig.class)
                .withMapping(org.crmbulk.worker.bounce.BounceConfig.class).withMapping(org.crmbulk.worker.config.ConsentConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withSources(new PropertiesConfigSource(SECRETS, "test secrets", 100)).build();
    }
}
