package org.crmbulk.worker.config;

import org.crmbulk.contract.consent.UnsubscribeTokens;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The keys of the unsubscribe links and the VERP return paths, parsed once for both. */
@ApplicationScoped
public class UnsubscribeTokensProducer {

    @Produces
    @Singleton // a final class without a no-args constructor cannot be proxied
    UnsubscribeTokens tokens(ConsentConfig config) {
        return UnsubscribeTokens.parse(config.unsubscribeKeys());
    }
}
