package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.MimeMessage;

/**
 * Two workers on one launch: the one not driving it helps send it, within the relay's rate limit for both together;
 * either may be killed with SIGKILL midway, and the other finishes the launch with nothing lost.
 */
class TwoWorkersSystemTest {

    @Test
    void when_the_driving_worker_of_two_is_killed_the_other_takes_the_launch_over_and_loses_nothing() throws Exception {
        Stack stack = Stack.shared();
        ServiceProcess second = stack.startWorker();
        stack.smtp.purge();
        int recipients = 1_000;
        long list = SystemApi.importedList("two workers", "two" + UUID.randomUUID().toString().substring(0, 4), recipients);
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello.");
        String location = SystemApi.startLaunch(action, list);
        long launchId = SystemApi.launch(location).getLong("id");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> stack.smtp.received().size() >= 300);
        long driver = leaseOwnerPid(stack, launchId);
        ServiceProcess victim = stack.worker.pid() == driver ? stack.worker : second;
        ServiceProcess survivor = victim == second ? stack.worker : second;
        assertThat(victim.pid()).as("the lease names one of the two workers").isEqualTo(driver);
        victim.kill();
        stack.worker = survivor;

        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(120));
        List<MimeMessage> mails = stack.smtp.received();
        Map<String, Long> perRecipient = mails.stream().collect(Collectors.groupingBy(Mails::recipient, Collectors.counting()));
        int extra = mails.size() - recipients;
        System.out.printf("two workers, driver killed: recipients=%d, SMTP messages=%d, extra=%d, possibleDuplicates=%d%n",
                recipients, mails.size(), extra, done.getInt("possibleDuplicates"));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
        assertThat(perRecipient).as("nothing lost").hasSize(recipients);
        assertThat(extra).isBetween(0, done.getInt("possibleDuplicates"));
        assertThat(done.getInt("possibleDuplicates")).as("bounded by what was in flight").isLessThanOrEqualTo(Stack.MAX_IN_FLIGHT);
        SystemApi.assertCountersMatchRows(launchId);
    }

    @Test
    void two_workers_share_one_launch_within_the_rate_limit_and_the_helper_killed_midway_loses_nothing() throws Exception {
        Stack stack = Stack.shared();
        int recipients = 1_000;
        int perSecond = 100; // ~10 s of sending: time for the second worker to join, and to be killed while it sends
        long list = SystemApi.importedList("shared launch", "share" + UUID.randomUUID().toString().substring(0, 4), recipients);
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello.");
        stack.smtp.purge();
        stack.worker.close();
        Map<String, String> limited = Map.of("CRM_RATE_PER_SECOND", String.valueOf(perSecond));
        java.util.concurrent.CompletableFuture<ServiceProcess> starting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return stack.startWorker(limited);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ServiceProcess one = stack.startWorker(limited);
        ServiceProcess two = starting.join();
        try {
            String location = SystemApi.startLaunch(action, list);
            long launchId = SystemApi.launch(location).getLong("id");

            // Both workers hold claims on the launch's deliveries at some moment: the one without the lease is helping.
            java.util.Set<Long> claimants = new java.util.HashSet<>();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                claimants.addAll(claimingPids(stack, launchId));
                return claimants.size() == 2 && stack.smtp.received().size() >= 200;
            });
            long driver = leaseOwnerPid(stack, launchId);
            ServiceProcess helper = one.pid() == driver ? two : one;
            ServiceProcess holder = helper == one ? two : one;
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .until(() -> claimingPids(stack, launchId).contains(helper.pid()));
            int sentBefore = stack.smtp.received().size();
            helper.kill(); // SIGKILL with claims in flight: they lapse, and the lease holder resends them, counted

            JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(120));
            List<MimeMessage> mails = stack.smtp.received();
            Map<String, Long> perRecipient = mails.stream().collect(Collectors.groupingBy(Mails::recipient, Collectors.counting()));
            int extra = mails.size() - recipients;
            System.out.printf("one launch, two workers, helper killed after %d messages: recipients=%d, SMTP messages=%d, extra=%d,"
                    + " possibleDuplicates=%d, most permits in a second=%d%n", sentBefore, recipients, mails.size(), extra,
                    done.getInt("possibleDuplicates"), mostPermitsInOneSecond(stack));
            assertThat(sentBefore).as("killed midway").isBetween(1, recipients - 1);
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
            assertThat(perRecipient).as("nothing lost").hasSize(recipients);
            assertThat(extra).as("resent only what the killed helper had in flight").isBetween(0, done.getInt("possibleDuplicates"));
            assertThat(done.getInt("possibleDuplicates")).isLessThanOrEqualTo(Stack.MAX_IN_FLIGHT);
            assertThat(mostPermitsInOneSecond(stack)).as("the rate limit holds for both workers together").isBetween(1, perSecond);
            assertThat(holder.isAlive()).as("the lease holder finished it (the helper is dead)").isTrue();
            SystemApi.assertCountersMatchRows(launchId);
        } finally {
            one.close();
            two.close();
            stack.restoreWorker();
        }
    }

    /** The worker processes holding claims on the launch's deliveries now. */
    private static java.util.Set<Long> claimingPids(Stack stack, long launchId) throws Exception {
        java.util.Set<Long> pids = new java.util.HashSet<>();
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT DISTINCT claimed_by FROM delivery WHERE status = 'SENDING' AND launch_id = " + launchId)) {
            while (rs.next()) {
                pids.add(Long.parseLong(rs.getString(1).substring(0, rs.getString(1).indexOf('@'))));
            }
        }
        return pids;
    }

    private static int mostPermitsInOneSecond(Stack stack) throws Exception {
        try (Connection c = stack.postgres.connect(); java.sql.PreparedStatement q = c.prepareStatement(
                "SELECT coalesce(max(used), 0) FROM relay_rate_window WHERE unit = 'SECOND' AND relay = ?")) {
            q.setString(1, "127.0.0.1:" + stack.smtp.port());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    // The lease owner is "<pid>@<host>/<id>", the JVM's runtime name.
    private static long leaseOwnerPid(Stack stack, long launchId) throws Exception {
        try (Connection c = stack.postgres.connect();
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT (SELECT owner FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = " + launchId + ")")) {
            rs.next();
            return Long.parseLong(rs.getString(1).substring(0, rs.getString(1).indexOf('@')));
        }
    }
}
