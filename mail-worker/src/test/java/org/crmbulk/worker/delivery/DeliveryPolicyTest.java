package org.crmbulk.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.crmbulk.contract.SendJobV1.Kind;
import org.crmbulk.worker.smtp.SendResult;
import org.crmbulk.worker.work.Engine;
import org.junit.jupiter.api.Test;

/** What the one delivery policy does with each relay answer, whatever kind of work the delivery belongs to. */
class DeliveryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private final DeliveryPolicy policy = new DeliveryPolicy(new Engine("max-attempts", "5", "retry-delay", "10s",
            "max-retry-delay", "10m", "max-retry-age", "24h", "pause-after-consecutive-failures", "3").config);

    @Test
    void a_4xx_is_retried_later_with_a_growing_jittered_delay() {
        Outcome first = policy.outcome(Kind.LAUNCH, claimed(1, NOW), SendResult.temporary("451 try later"), "S", "<m>", NOW);
        Outcome third = policy.outcome(Kind.ACTIVITY_MAIL, claimed(3, NOW), SendResult.temporary("451 try later"), "S", "<m>", NOW);
        assertThat(first.kind()).isEqualTo(Outcome.Kind.RETRY);
        assertThat(Duration.between(NOW, first.retryAt())).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(Duration.between(NOW, third.retryAt())).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(40));
    }

    @Test
    void a_5xx_fails_at_once_with_the_relays_reply() {
        Outcome o = policy.outcome(Kind.LAUNCH, claimed(1, NOW), SendResult.permanent("550 5.1.1 no such user"), "S", "<m>", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).isEqualTo("550 5.1.1 no such user");
    }

    @Test
    void a_4xx_on_the_last_attempt_fails() {
        Outcome o = policy.outcome(Kind.ACTIVITY_MAIL, claimed(5, NOW), SendResult.temporary("421 busy"), "S", "<m>", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).isEqualTo("gave up after 5 attempts: 421 busy");
    }

    @Test
    void a_4xx_past_the_maximum_age_fails_whatever_the_attempts_left() {
        Outcome o = policy.outcome(Kind.LAUNCH, claimed(2, NOW.minus(Duration.ofHours(25))), SendResult.temporary("451 later"), "S", "<m>", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).startsWith("gave up after PT24H of retries: 451 later");
    }

    @Test
    void a_test_send_makes_one_attempt() {
        Outcome o = policy.outcome(Kind.TEST_SEND, claimed(1, NOW), SendResult.temporary("450 busy"), "S", "<m>", NOW);
        assertThat(o.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(o.reply()).isEqualTo("450 busy");
    }

    @Test
    void the_pause_rule_counts_temporary_answers_in_a_row_and_an_accepted_message_starts_it_over() {
        DeliveryPolicy.PauseRule rule = policy.pauseRule();
        assertThat(rule.observe(SendResult.temporary("451 a"))).isNull();
        assertThat(rule.observe(SendResult.temporary("451 b"))).isNull();
        assertThat(rule.observe(SendResult.accepted("250 ok"))).isNull();
        assertThat(rule.observe(SendResult.permanent("550 no"))).isNull();
        assertThat(rule.observe(SendResult.temporary("451 c"))).isNull();
        assertThat(rule.observe(SendResult.temporary("451 d"))).isNull();
        assertThat(rule.observe(SendResult.temporary("451 e"))).isEqualTo("3 temporary failures in a row, the last: 451 e");
    }

    private static ClaimedDelivery claimed(int attempts, Instant firstAttemptAt) {
        return new ClaimedDelivery(7, "a@example.cz", null, false, "<m@example.cz>", attempts, false, Map.of(), firstAttemptAt);
    }
}
