package org.crmbulk.api.consent;

import org.crmbulk.contract.consent.ErasureKey;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The key of the hashes the suppression list keeps of erased addresses, read from the same setting as the worker's. */
@ApplicationScoped
public class ErasureKeyProducer {

    @Produces
    @Singleton // a record cannot be proxied, so not @ApplicationScoped
    ErasureKey key(ConsentConfig config) {
        return ErasureKey.parse(config.erasureKey());
    }

    // Made at start, so that a missing or short key stops the service before it answers anything.
    void atStart(@Observes StartupEvent event, ErasureKey key) {
    }
}
