package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.FaultySmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/**
 * Bounces handed in over HTTP, as an MTA pipes them, for a campaign the real worker sends with VERP return paths: each
 * linked to its delivery by the return path the relay saw in MAIL FROM; a bounce storm pauses the launch with its reason,
 * and it can be resumed.
 */
class BounceSystemTest {

    @AfterEach
    void restoreTheWorker() throws Exception {
        Stack.shared().restoreWorker();
    }

    @Test
    void a_bounce_storm_over_http_marks_the_deliveries_suppresses_the_addresses_and_pauses_the_launch_until_resumed() throws Exception {
        Stack stack = Stack.shared();
        int recipients = 40;
        long list = SystemApi.importedList("Storm", "storm", recipients);
        long action = SystemApi.textBulkAction("Storm offer", "Hello.");
        stack.worker.close();
        try (FaultySmtpServer relay = new FaultySmtpServer()) {
            // The last delivery's message waits at the relay, so the launch is still running when the bounces come back.
            relay.fault("storm9@example.cz", FaultySmtpServer.Fault.HOLD, 1);
            stack.worker = stack.startWorker(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()), "CRM_BOUNCE_DOMAIN", "bounces.example.cz",
                    "CRM_DELIVERY_BATCH_SIZE", "4", "CRM_GUARDRAIL_MIN_MESSAGES", "20", "CRM_BOUNCE_POLL_INTERVAL", "1s"));
            String location = SystemApi.startLaunch(action, list);
            long launchId = SystemApi.launch(location).getLong("id");
            await().atMost(Duration.ofSeconds(60)).until(() -> SystemApi.launch(location).getInt("counters.sent") >= 30);
            assertThat(SystemApi.launch(location).getString("status")).isEqualTo("RUNNING");

            List<List<String>> sessions = relay.transcripts();
            List<String> mailFrom = sessions.stream().flatMap(List::stream).filter(c -> c.startsWith("MAIL FROM:")).toList();
            assertThat(mailFrom).as("every message's envelope sender is its own return path on the bounce domain")
                    .isNotEmpty().allMatch(c -> c.matches("MAIL FROM:<bounces\\+[0-9a-f]{36}@bounces\\.example\\.cz>.*"));
            List<FaultySmtpServer.Accepted> sent = relay.accepted().subList(0, 4);
            for (FaultySmtpServer.Accepted m : sent) {
                String address = m.recipients().get(0);
                String returnPath = returnPathOf(relay, m);
                byte[] bounce = BounceCorpus.fixture("gmail-dsn.eml", address, returnPath, "<not-the-id@elsewhere.example>");
                given().contentType("message/rfc822").body(bounce).post("/api/v1/inbound-reports").then().statusCode(202);
            }

            JsonPath paused = SystemApi.awaitStatus(location, Duration.ofSeconds(30), Set.of("PAUSED"));
            assertThat(paused.getString("pauseReason")).contains("hard bounces").contains("more than 8 %");
            assertThat(paused.getInt("counters.bounced")).isEqualTo(4);
            for (FaultySmtpServer.Accepted m : sent) {
                JsonPath d = given().queryParam("limit", 100).get(location + "/deliveries").then().statusCode(200).extract().jsonPath();
                Map<String, Object> row = d.getList("items", Map.class).stream()
                        .filter(i -> m.recipients().get(0).equalsIgnoreCase((String) i.get("email"))).findFirst().orElseThrow();
                assertThat(row.get("bounce")).isEqualTo("HARD");
                assertThat((String) row.get("bounceDiagnostic")).contains("5.1.1");
            }
            try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM suppression WHERE reason = 'HARD_BOUNCE' AND launch_id = " + launchId)) {
                rs.next();
                assertThat(rs.getInt(1)).as("each bounced address suppressed").isEqualTo(4);
            }

            relay.release();
            given().post(location + "/resume").then().statusCode(200);
            JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
            SystemApi.assertCountersMatchRows(launchId);
        }
    }

    /** The MAIL FROM the relay saw in the session that carried this message. */
    private static String returnPathOf(FaultySmtpServer relay, FaultySmtpServer.Accepted m) {
        for (List<String> session : relay.transcripts()) {
            String from = null;
            for (String command : session) {
                if (command.startsWith("MAIL FROM:")) {
                    from = command.substring("MAIL FROM:<".length(), command.indexOf('>'));
                } else if (command.equalsIgnoreCase("RCPT TO:<" + m.recipients().get(0) + ">") && from != null) {
                    return from;
                }
            }
        }
        throw new AssertionError("no MAIL FROM for " + m.recipients());
    }
}
