package org.crmbulk.api.consent;

import org.crmbulk.api.security.TokenBuckets;

import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A token bucket per client address on the public pages: nobody can try tokens in bulk or flood the database. The
 * address is the connection's, or the proxy's forwarded one where quarkus.http.proxy is configured to trust it.
 */
@ApplicationScoped
public class PublicRateLimiter {

    private final ConsentConfig config;
    private final TokenBuckets buckets;

    @Inject
    public PublicRateLimiter(ConsentConfig config) {
        this.config = config;
        this.buckets = new TokenBuckets(config.publicPerMinute(), config.publicBurst());
    }

    public boolean allows(HttpServerRequest request) {
        String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        return buckets.take(client).isEmpty();
    }

    /** How long a refused client should wait: one token's time. */
    public long retryAfterSeconds() {
        return Math.max(1, (long) Math.ceil(60.0 / config.publicPerMinute()));
    }
}
