package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.crmbulk.testing.FaultySmtpServer;
import org.crmbulk.testing.FaultySmtpServer.Fault;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A relay that refuses (4xx, 5xx), stalls or drops the connection: temporary failures are retried
 * until they pass, permanent ones fail at once with the relay's reply, and a relay that is down
 * pauses the launch instead of burning through the list; a mail task stuck on the relay does not
 * hold up the others.
 */
class RelayFaultSystemTest {

    private static Stack stack;
    private static FaultySmtpServer relay;

    @BeforeAll
    static void pointAWorkerAtTheFaultyRelay() throws Exception {
        stack = Stack.shared();
        relay = new FaultySmtpServer();
        relay.stallFor(4_000);
        stack.replaceWorker(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()),
                "MAIL_DELIVERY_RETRY_DELAY", "300ms", "MAIL_DELIVERY_SEND_TIMEOUT", "1s",
                // The planned faults below can give 4 temporary answers in a row (concurrent sends, retries due while a
                // stall times out); 8 leaves room for a slow moment under load, and a relay that is down still pauses.
                "MAIL_DELIVERY_PAUSE_AFTER_CONSECUTIVE_FAILURES", "8"));
    }

    @AfterAll
    static void restoreTheWorker() throws Exception {
        stack.restoreWorker();
        relay.close();
    }

    @Test
    void temporary_failures_are_retried_until_sent_and_a_permanent_one_fails_at_once_with_the_reply() throws Exception {
        String p = "rf" + UUID.randomUUID().toString().substring(0, 5);
        relay.fault(p + "-t421@example.cz", Fault.TEMPORARY_421, 2)
                .fault(p + "-t451@example.cz", Fault.TEMPORARY_451, 2)
                .fault(p + "-p550@example.cz", Fault.PERMANENT_550, 99)
                .fault(p + "-stall@example.cz", Fault.STALL, 1)
                .fault(p + "-drop@example.cz", Fault.DROP_IN_DATA, 1);
        StringBuilder csv = new StringBuilder("email,firstName\n");
        for (String who : List.of("t421", "t451", "p550", "stall", "drop", "ok0", "ok1", "ok2", "ok3", "ok4")) {
            csv.append(p).append('-').append(who).append("@example.cz,").append(who).append('\n');
        }
        long list = given().contentType(ContentType.JSON).body(Map.of("name", "faults")).post("/api/v1/lists").then()
                .statusCode(201).extract().jsonPath().getLong("id");
        given().contentType("text/csv; charset=UTF-8").body(csv.toString()).queryParam("listId", list).post("/api/v1/contacts/import").then()
                .statusCode(200);
        String location = launch(list);

        JsonPath done = SystemApi.awaitStatus(location, Duration.ofSeconds(180), Set.of("COMPLETED", "COMPLETED_WITH_ERRORS", "CANCELLED",
                "PAUSED")); // retries wait out their backoff; a pause would wait for a person
        assertThat(done.getString("status")).as("paused: " + done.getString("pauseReason")).isEqualTo("COMPLETED_WITH_ERRORS");
        assertThat(done.getInt("counters.sent")).isEqualTo(9);
        assertThat(done.getInt("counters.failed")).isEqualTo(1);
        Map<String, Map<String, Object>> byAddress = given().get(location + "/deliveries").then().extract().jsonPath()
                .<Map<String, Object>>getList("items").stream().collect(Collectors.toMap(d -> (String) d.get("email"), d -> d));
        Map<String, Object> refused = byAddress.get(p + "-p550@example.cz");
        assertThat(refused.get("status")).isEqualTo("FAILED");
        assertThat(refused.get("attempts")).as("5xx: no retry").isEqualTo(1);
        assertThat((String) refused.get("lastReply")).startsWith("550");
        // At least one attempt per planned fault; a pooled connection the relay closed may cost one more.
        assertSentAfter(byAddress.get(p + "-t421@example.cz"), 3);
        assertSentAfter(byAddress.get(p + "-t451@example.cz"), 3);
        assertSentAfter(byAddress.get(p + "-stall@example.cz"), 2);
        assertSentAfter(byAddress.get(p + "-drop@example.cz"), 2);
        List<String> acceptedFor = relay.accepted().stream().flatMap(a -> a.recipients().stream()).filter(r -> r.startsWith(p)).toList();
        assertThat(acceptedFor).as("each SENT recipient accepted exactly once by the relay").hasSize(9).doesNotHaveDuplicates()
                .doesNotContain(p + "-p550@example.cz");
        SystemApi.assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_relay_that_is_down_pauses_the_launch_and_resuming_once_it_is_back_completes_it() throws Exception {
        long list = SystemApi.importedList("down", "down" + UUID.randomUUID().toString().substring(0, 4), 30);
        int acceptedBefore = relay.accepted().size();
        relay.down(true);
        String location = launch(list);
        JsonPath paused;
        try {
            paused = SystemApi.awaitStatus(location, Duration.ofSeconds(60), Set.of("PAUSED"));
        } finally {
            relay.down(false);
        }
        assertThat(paused.getString("pauseReason")).contains("temporary failures in a row").contains("421");
        assertThat(paused.getInt("counters.pending")).isEqualTo(30);
        assertThat(relay.accepted()).hasSize(acceptedBefore);
        SystemApi.assertCountersMatchRows(paused.getLong("id"));

        given().post(location + "/resume").then().statusCode(200);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(90));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("counters.sent")).isEqualTo(30);
        assertThat(relay.accepted()).hasSize(acceptedBefore + 30);
        SystemApi.assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_mail_task_stuck_on_a_stalling_relay_does_not_hold_up_the_next_one() {
        String p = "rs" + UUID.randomUUID().toString().substring(0, 5);
        SystemApi.setMailMode("orsoft.o.crm.Ohakt.posliMailUcastnikum", " ");
        // The relay holds this recipient's final reply, attempt after attempt, until the test lets it go.
        String held = p + "-held@example.cz";
        relay.fault(held, Fault.HOLD, 1_000);
        long slow = SystemApi.meetingWith(List.of(held));
        long quick = SystemApi.meetingWith(List.of(p + "-ok@example.cz"));

        String slowJob = SystemApi.runParticipantsTask(slow);
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.transcripts().stream().flatMap(List::stream)
                .anyMatch(line -> line.toUpperCase(java.util.Locale.ROOT).startsWith("RCPT") && line.contains(held)));
        String quickJob = SystemApi.runParticipantsTask(quick);

        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(quickJob).then().extract().path("status")));
        JsonPath slowNow = given().get(slowJob).then().extract().jsonPath();
        assertThat(slowNow.getString("status")).as("the held job is not done when the later one is").isNotEqualTo("DONE");
        assertThat(slowNow.getList("recipients.status")).as("its recipient is not sent yet").doesNotContain("SENT");

        relay.fault(held, Fault.HOLD, 0);
        relay.release();
        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(given().get(slowJob).then().extract().path("status")));
        assertThat(given().get(slowJob).then().extract().jsonPath().getList("recipients.status")).containsOnly("SENT");
    }

    private static void assertSentAfter(Map<String, Object> delivery, int minAttempts) {
        assertThat(delivery.get("status")).isEqualTo("SENT");
        assertThat((Integer) delivery.get("attempts")).isBetween(minAttempts, 5);
    }

    private static String launch(long list) {
        long action = given().contentType(ContentType.JSON)
                .body(Map.of("name", "N", "from", "news@example.cz", "subject", "Hi {contact.firstName}", "textBody", "Hello."))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        return given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
    }
}
