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
 * The Kafka broker stops for 30 s mid-launch and starts again. A launch accepted meanwhile waits in
 * the outbox and goes out once the broker is back; the running one is driven from the database and
 * does not notice.
 */
class KafkaOutageSystemTest {

    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void a_broker_outage_delays_the_launches_accepted_meanwhile_and_loses_nothing() throws Exception {
        Stack stack = Stack.shared();
        String prefix = "kfo" + UUID.randomUUID().toString().substring(0, 4);
        int runningRecipients = 600;
        int laterRecipients = 50;
        long running = SystemApi.importedList("kafka outage, running", prefix + "r", runningRecipients);
        long later = SystemApi.importedList("kafka outage, later", prefix + "l", laterRecipients);
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello.");
        stack.smtp.purge();
        String first = SystemApi.startLaunch(action, running);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> stack.smtp.received().size() >= 100);

        stack.kafka.stopBroker();
        String second;
        long unpublished;
        try {
            second = SystemApi.startLaunch(action, later);
            Thread.sleep(OUTAGE.toMillis());
            assertThat(SystemApi.launch(second).getString("status")).as("no job reached a worker").isEqualTo("QUEUED");
            unpublished = outboxRows(stack);
            assertThat(unpublished).as("the job waits in the outbox").isPositive();
        } finally {
            stack.kafka.startBroker();
        }

        JsonPath firstDone = SystemApi.awaitFinal(first, Duration.ofSeconds(120));
        JsonPath secondDone = SystemApi.awaitFinal(second, Duration.ofSeconds(120));
        List<MimeMessage> mails = stack.smtp.received().stream().filter(m -> Mails.recipient(m).startsWith(prefix)).toList();
        Map<String, Long> perRecipient = mails.stream().collect(Collectors.groupingBy(Mails::recipient, Collectors.counting()));
        int recipients = runningRecipients + laterRecipients;
        int counted = firstDone.getInt("possibleDuplicates") + secondDone.getInt("possibleDuplicates");
        System.out.printf("kafka outage report: outage=%ds, recipients=%d, outbox rows waiting=%d, SMTP messages=%d, "
                + "lost=%d, extra=%d, possibleDuplicates=%d%n", OUTAGE.toSeconds(), recipients, unpublished, mails.size(),
                recipients - perRecipient.size(), mails.size() - recipients, counted);
        assertThat(firstDone.getString("status")).isEqualTo("COMPLETED");
        assertThat(secondDone.getString("status")).isEqualTo("COMPLETED");
        assertThat(perRecipient).as("nothing lost").hasSize(recipients);
        assertThat(mails.size() - recipients).as("duplicates only where counted").isBetween(0, counted);
        SystemApi.assertCountersMatchRows(firstDone.getLong("id"));
        SystemApi.assertCountersMatchRows(secondDone.getLong("id"));
        await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows(stack) == 0);
    }


    private static long outboxRows(Stack stack) throws Exception {
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
