package org.crmbulk.worker.config;

import org.crmbulk.contract.consent.ErasureKey;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The key the launch checks match erased addresses' hashes with, read from the same setting as api-service's. */
@ApplicationScoped
public class ErasureKeyProducer {

    @Produces
    @Singleton // a record cannot be proxied, so not @ApplicationScoped
    ErasureKey key(ConsentConfig config) {
        return ErasureKey.parse(config.erasureKey());
    }

    // Made at start, so that a missing or short key stops the worker before it sends anything.
    void atStart(@Observes StartupEvent event, ErasureKey key) {
    }
}
