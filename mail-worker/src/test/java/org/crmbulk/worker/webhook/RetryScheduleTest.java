package org.crmbulk.worker.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class RetryScheduleTest {

    private final RetrySchedule schedule = new RetrySchedule(Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofHours(24));
    private final Instant created = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void delays_double_from_the_base_up_to_the_cap_with_half_of_each_random() {
        Instant now = created.plusSeconds(60);
        long[] expected = {5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600};
        for (int failed = 1; failed <= expected.length; failed++) {
            long least = Duration.between(now, schedule.next(failed, created, now, () -> 0.0).orElseThrow()).toMillis();
            long most = Duration.between(now, schedule.next(failed, created, now, () -> 0.999_999).orElseThrow()).toMillis();
            assertThat(least).as("after %d failures", failed).isEqualTo(expected[failed - 1] * 500);
            assertThat(most).as("after %d failures", failed).isBetween(expected[failed - 1] * 1000 - 5, expected[failed - 1] * 1000);
        }
        assertThat(schedule.next(1_000, created, now, () -> 0.5)).as("no overflow after many failures").isPresent();
    }

    @Test
    void none_after_the_maximum_age() {
        assertThat(schedule.next(3, created, created.plus(Duration.ofHours(23).plusMinutes(59).plusSeconds(50)), () -> 0.9)).isEmpty();
        assertThat(schedule.next(1, created, created.plus(Duration.ofHours(23)), () -> 0.9)).isPresent();
    }
}
