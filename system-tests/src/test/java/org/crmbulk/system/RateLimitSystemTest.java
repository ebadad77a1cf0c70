package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.crmbulk.testing.FaultySmtpServer;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/** The relay's rate limit holds for two worker replicas together, per second and per hour. */
class RateLimitSystemTest {

    private static final int PER_SECOND = 10;
    private static final int PER_HOUR = 45;

    @Test
    void two_workers_together_stay_within_the_relays_limits_per_second_and_per_hour() throws Exception {
        Stack stack = Stack.shared();
        int recipients = 60;
        String prefix = "rate" + UUID.randomUUID().toString().substring(0, 4);
        long list = SystemApi.importedList("rate limit", prefix, recipients);
        long action = SystemApi.textBulkAction("Hi", "Hello.");
        stack.worker.close();
        try (FaultySmtpServer relay = new FaultySmtpServer()) {
            // Batches of 20 and no other limit: without the rate limit the 45 would go out in well under a second.
            Map<String, String> limited = Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()),
                    "CRM_RATE_PER_SECOND", String.valueOf(PER_SECOND), "CRM_RATE_PER_HOUR", String.valueOf(PER_HOUR));
            ServiceProcess one = stack.startWorker(limited);
            ServiceProcess two = stack.startWorker(limited);
            // Both in one launch would be driven by one of them; two launches keep both sending.
            String first = SystemApi.startLaunch(action, list);
            String second = SystemApi.startLaunch(action, list);
            try {
                // Settled: the hour's messages are at the relay, then (read after, in this order) the hour's permits are all
                // taken and no delivery is claimed, so every message that arrived has its outcome recorded. Permits come
                // before the claim, so permits and no claim alone can be read between a worker's permit and its claim.
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> relay.accepted().size() >= PER_HOUR && permitsThisHour(stack, relay.port()) == PER_HOUR
                                && claimed(stack, first, second) == 0);
                List<FaultySmtpServer.Accepted> mails = relay.accepted();
                // Work an earlier test left open (a launch whose Kafka job was lost waits out the 60 s grace, then the sweep
                // starts it) is sent by these workers through this relay too: within its limits, but not by these launches.
                List<Instant> ourTimes = mails.stream().filter(m -> m.recipients().stream().allMatch(r -> r.startsWith(prefix)))
                        .map(FaultySmtpServer.Accepted::at).sorted().toList();
                int ours = ourTimes.size();
                List<Instant> times = mails.stream().map(FaultySmtpServer.Accepted::at).sorted().toList();
                Duration span = Duration.between(ourTimes.get(0), ourTimes.get(ourTimes.size() - 1));
                int busiestSecond = busiestWindow(times, Duration.ofSeconds(1));
                JsonPath a = SystemApi.launch(first);
                JsonPath b = SystemApi.launch(second);
                System.out.printf("rate limit report: limits %d/s and %d/h over 2 workers, 2 launches of %d: accepted=%d, "
                        + "of them these launches'=%d, first-to-last=%d ms, most in any 1 s=%d, pending=%d, possibleDuplicates=%d%n",
                        PER_SECOND, PER_HOUR, recipients, mails.size(), ours, span.toMillis(), busiestSecond,
                        a.getInt("counters.pending") + b.getInt("counters.pending"), a.getInt("possibleDuplicates") + b.getInt("possibleDuplicates"));

                assertThat(mails).as("the hour's limit, not one message more").hasSize(PER_HOUR);
                int sent = a.getInt("counters.sent") + b.getInt("counters.sent");
                // A message the relay took whose answer the worker never got (its claim lapsed under load, or the reply did
                // not come in time) stays pending for a later hour: only so, and then counted as a possible duplicate.
                assertThat(sent).as("these launches' messages at the relay, recorded SENT")
                        .isBetween(ours - (a.getInt("possibleDuplicates") + b.getInt("possibleDuplicates")), ours);
                assertThat(ours).as("these launches sent most of the hour's messages").isGreaterThan(PER_HOUR / 2);
                assertThat(a.getInt("counters.pending") + b.getInt("counters.pending")).isEqualTo(2 * recipients - sent);
                // n messages at 10 per window span ceil(n / 10) windows, (windows - 1) s apart and more; unlimited they take
                // well under 1 s. The margin is for the grant-to-arrival latency of the first and the last message.
                int windows = (ours + PER_SECOND - 1) / PER_SECOND;
                assertThat(span).as("%d messages at %d/s span at least %d windows", ours, PER_SECOND, windows)
                        .isGreaterThanOrEqualTo(Duration.ofMillis((windows - 1) * 1_000L - 1_500));
                // Where the limit is enforced, exactly: no clock second's permits, summed over both workers, exceed it.
                assertThat(mostPermitsInOneSecond(stack, relay.port())).as("permits in any clock second").isBetween(1, PER_SECOND);
                // At the relay, by arrival time: a sliding second can span two clock windows (2x), never more.
                assertThat(busiestSecond).as("messages at the relay in any sliding second").isLessThanOrEqualTo(2 * PER_SECOND);
            } finally {
                // The rest of this hour's launches must not reach the next test's relay.
                given().post(first + "/cancel").then().statusCode(200);
                given().post(second + "/cancel").then().statusCode(200);
                one.close();
                two.close();
            }
            SystemApi.assertCountersMatchRows(SystemApi.launch(first).getLong("id"));
            SystemApi.assertCountersMatchRows(SystemApi.launch(second).getLong("id"));
        } finally {
            stack.restoreWorker();
        }
    }


    private static int permitsThisHour(Stack stack, int relayPort) throws Exception {
        try (java.sql.Connection c = stack.postgres.connect();
             java.sql.PreparedStatement q = c.prepareStatement("SELECT coalesce(sum(used), 0) FROM relay_rate_window "
                     + "WHERE unit = 'HOUR' AND relay = ? AND window_start = date_trunc('hour', now())")) {
            q.setString(1, "127.0.0.1:" + relayPort);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int claimed(Stack stack, String... launches) throws Exception {
        int claimed = 0;
        for (String launch : launches) {
            try (java.sql.Connection c = stack.postgres.connect(); java.sql.ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM delivery WHERE status = 'SENDING' AND launch_id = " + SystemApi.launch(launch).getLong("id"))) {
                rs.next();
                claimed += rs.getInt(1);
            }
        }
        return claimed;
    }

    private static int mostPermitsInOneSecond(Stack stack, int relayPort) throws Exception {
        try (java.sql.Connection c = stack.postgres.connect();
             java.sql.PreparedStatement q = c.prepareStatement(
                     "SELECT coalesce(max(used), 0) FROM relay_rate_window WHERE unit = 'SECOND' AND relay = ?")) {
            q.setString(1, "127.0.0.1:" + relayPort);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static int busiestWindow(List<Instant> sorted, Duration window) {
        int best = 0;
        for (int i = 0, j = 0; i < sorted.size(); i++) {
            while (Duration.between(sorted.get(j), sorted.get(i)).compareTo(window) >= 0) {
                j++;
            }
            best = Math.max(best, i - j + 1);
        }
        return best;
    }
}
