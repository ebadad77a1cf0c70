package org.crmbulk.api.webhook;

import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where webhook subscriptions may point (the same settings the workers check each attempt against). */
@ConfigMapping(prefix = "crm.webhooks")
public interface WebhookConfig {

    /** Only https targets (the prod overlay sets it). */
    @WithDefault("false")
    boolean requireHttps();

    /** Addresses or CIDR networks a target may resolve to although they are not public (none by default). */
    Optional<List<String>> allowedNetworks();
}
