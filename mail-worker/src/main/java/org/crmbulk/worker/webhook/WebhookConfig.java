package org.crmbulk.worker.webhook;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the workers deliver webhooks: where they may go, how many at once, how long an attempt and a delivery may take. */
@ConfigMapping(prefix = "crm.webhooks")
public interface WebhookConfig {

    /** Off: this worker delivers no webhooks (others may). */
    @WithDefault("true")
    boolean enabled();

    /** Only https targets (the prod overlay sets it; api-service refuses others when a subscription is saved). */
    @WithDefault("false")
    boolean requireHttps();

    /** Addresses or CIDR networks a target may resolve to although they are not public (none by default). */
    Optional<List<String>> allowedNetworks();

    /** How often due deliveries are looked for, besides right after a subscription's queue runs low. */
    @WithDefault("500ms")
    Duration pollInterval();

    /** Requests in flight to one subscription per worker: a slow endpoint holds only its own. */
    @WithDefault("8")
    int concurrencyPerSubscription();

    /** Deliveries one claim takes for one subscription. */
    @WithDefault("64")
    int batchSize();

    @WithDefault("5s")
    Duration connectTimeout();

    /** One attempt's limit, answer included: a hanging endpoint fails after it. */
    @WithDefault("10s")
    Duration requestTimeout();

    /** The first retry's delay; each further one doubles, up to {@link #retryMax()}, with jitter. */
    @WithDefault("5s")
    Duration retryBase();

    @WithDefault("1h")
    Duration retryMax();

    /** How long after the event a delivery is still retried; then it is DEAD with the last answer. */
    @WithDefault("24h")
    Duration maxAge();
}
