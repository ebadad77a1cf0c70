package org.crmbulk.api.security;

import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** A token bucket per key: {@code perMinute} on average, {@code burst} at once. Per replica, in memory. */
public final class TokenBuckets {

    private static final int MAX_KEYS = 100_000;

    private static final class Bucket {
        double tokens;
        long refilledAt;
    }

    private final int perMinute;
    private final int burst;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public TokenBuckets(int perMinute, int burst) {
        this.perMinute = perMinute;
        this.burst = burst;
    }

    /** Takes a token; empty when taken, else the seconds until the next one. */
    public OptionalLong take(String key) {
        if (buckets.size() > MAX_KEYS) {
            buckets.clear(); // a flood of distinct keys must not grow memory without bound; it only forgives those keys
        }
        Bucket bucket = buckets.computeIfAbsent(key, k -> {
            Bucket b = new Bucket();
            b.tokens = burst;
            b.refilledAt = System.nanoTime();
            return b;
        });
        double perNano = perMinute / 60e9;
        synchronized (bucket) {
            long now = System.nanoTime();
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * perNano);
            bucket.refilledAt = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return OptionalLong.empty();
            }
            return OptionalLong.of(Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perNano / 1e9)));
        }
    }
}
