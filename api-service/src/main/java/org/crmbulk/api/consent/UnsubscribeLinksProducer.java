package org.crmbulk.api.consent;

import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.consent.UnsubscribeTokens;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The links the worker writes into campaign messages, read back from the same configuration. */
@ApplicationScoped
public class UnsubscribeLinksProducer {

    @Produces
    @Singleton // a record cannot be proxied, so not @ApplicationScoped
    UnsubscribeLinks links(ConsentConfig config) {
        return new UnsubscribeLinks(config.publicBaseUrl(), UnsubscribeTokens.parse(config.unsubscribeKeys()));
    }

    // Made at start, so that a malformed key or base URL stops the service before it answers anything.
    void atStart(@Observes StartupEvent event, UnsubscribeLinks links) {
    }
}
