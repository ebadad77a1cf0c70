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

/** Two workers; the one driving a launch is killed with SIGKILL, and the other finishes it. */
class TwoWorkersSystemTest {

    @Test
    void when_the_driving_worker_of_two_is_killed_the_other_takes_the_launch_over_and_loses_nothing() throws Exception {
        Stack stack = Stack.shared();
        ServiceProcess second = stack.startWorker();
        stack.smtp.purge();
        int recipients = 2_000;
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
