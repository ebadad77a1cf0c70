package org.crmbulk.worker.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.smtp.SendResult;
import org.junit.jupiter.api.Test;

/** What the worker does with each relay answer: the retry rules of the delivery state machine. */
class RetryDecisionTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final LaunchProcessor processor = processorWith(Map.of(
            "maxAttempts", 5, "retryDelay", Duration.ofSeconds(10), "maxRetryDelay", Duration.ofMinutes(10),
            "maxRetryAge", Duration.ofHours(24)));

    @Test
    void a_4xx_is_retried_later_with_a_growing_jittered_delay() {
        Outcome first = processor.outcome(claimed(1, NOW), SendResult.temporary("451 try later"), "S", NOW);
        Outcome third = processor.outcome(claimed(3, NOW), SendResult.temporary("451 try later"), "S", NOW);
        assertThat(first.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(Duration.between(NOW, first.retryAt())).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(Duration.between(NOW, third.retryAt())).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
    }

    @Test
    void a_5xx_fails_at_once_with_the_relays_reply() {
        Outcome o = processor.outcome(claimed(1, NOW), SendResult.permanent("550 5.1.1 no such user"), "S", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).isEqualTo("550 5.1.1 no such user");
    }

    @Test
    void a_4xx_on_the_last_attempt_fails() {
        Outcome o = processor.outcome(claimed(5, NOW), SendResult.temporary("421 busy"), "S", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).isEqualTo("gave up after 5 attempts: 421 busy");
    }

    @Test
    void a_4xx_past_the_maximum_age_fails_whatever_the_attempts_left() {
        Outcome o = processor.outcome(claimed(2, NOW.minus(Duration.ofHours(25))), SendResult.temporary("451 later"), "S", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).startsWith("gave up after PT24H of retries: 451 later");
    }

    private static ClaimedDelivery claimed(int attempts, Instant firstAttemptAt) {
        return new ClaimedDelivery(7, "a@example.cz", "<m@example.cz>", attempts, false, Map.of(), firstAttemptAt);
    }

    private static LaunchProcessor processorWith(Map<String, Object> settings) {
        LaunchProcessor p = new LaunchProcessor();
        p.config = (DeliveryConfig) Proxy.newProxyInstance(DeliveryConfig.class.getClassLoader(), new Class<?>[] {DeliveryConfig.class},
                (proxy, method, args) -> {
                    if (!settings.containsKey(method.getName())) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return settings.get(method.getName());
                });
        return p;
    }
}
