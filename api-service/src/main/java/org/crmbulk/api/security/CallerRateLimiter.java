package org.crmbulk.api.security;

import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A token bucket per caller on the endpoints that send mail (launches, test sends, activity mail
 * tasks): one caller cannot flood the relay or the queue. Per api-service replica, by design: the
 * relay's own limit is global (the worker's rate limiter); this one only keeps callers apart.
 */
@ApplicationScoped
public class CallerRateLimiter {

    @ConfigMapping(prefix = "crm.api.caller-rate")
    public interface Config {
        /** Sending requests one caller may make per minute, on average. */
        @WithDefault("60")
        int perMinute();

        /** How many of them may come at once. */
        @WithDefault("20")
        int burst();
    }

    private final int perMinute;
    private final int burst;
    private final String what;
    private final TokenBuckets buckets;

    @Inject
    public CallerRateLimiter(Config config) {
        this(config.perMinute(), config.burst(), "sending requests");
    }

    /** A budget of its own, for other calls a caller may burst ({@code what}: "reports handed in"). */
    public CallerRateLimiter(int perMinute, int burst, String what) {
        this.perMinute = perMinute;
        this.burst = burst;
        this.what = what;
        this.buckets = new TokenBuckets(perMinute, burst);
    }

    /** Takes one request's token, or refuses with 429 and when the next one will be there. */
    public void acquire(String caller) {
        buckets.take(caller).ifPresent(retryAfter -> {
            throw new ProblemException(Problem.of(429, "Too Many Requests", caller + " sent more than " + perMinute
                    + " " + what + " per minute (burst " + burst + "); try again in " + retryAfter + " s"))
                    .withHeader("Retry-After", Long.toString(retryAfter));
        });
    }
}
