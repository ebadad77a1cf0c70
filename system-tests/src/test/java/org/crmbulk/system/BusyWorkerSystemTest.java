package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.crmbulk.testing.FaultySmtpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A worker that is busy for a long time stays live and keeps taking work: a mail task held by the relay's rate limit
 * well past the Kafka connector's limit for an unacknowledged record (10 s here, checked every 5 s) and many claim
 * leases is neither given up by the connector nor taken over and resent, and launches
 * beyond the worker's slots wait their turn without holding up the mail tasks that come after them.
 */
class BusyWorkerSystemTest {

    private static final int UNACKNOWLEDGED_LIMIT_MS = 10_000;

    private static Stack stack;
    private static FaultySmtpServer relay;

    @BeforeAll
    static void oneMessagePerSecondAndOneLaunchAtATime() throws Exception {
        stack = Stack.shared();
        relay = new FaultySmtpServer();
        // The stack's claim lease is 4 s: a mail task that is not renewed would be taken over within seconds. A job held
        // unacknowledged for 10 s would mark the connector (and so the worker) dead: the job must be acknowledged at once.
        stack.replaceWorker(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()), "CRM_RATE_PER_SECOND", "1",
                "MAIL_DELIVERY_MAX_CONCURRENT_LAUNCHES", "1",
                "MP_MESSAGING_INCOMING_SEND_JOBS_THROTTLED_UNPROCESSED_RECORD_MAX_AGE_MS", String.valueOf(UNACKNOWLEDGED_LIMIT_MS)));
        SystemApi.setMailMode("orsoft.o.crm.Ohakt.posliMailUcastnikum", " ");
    }

    @AfterAll
    static void restoreTheWorker() throws Exception {
        stack.restoreWorker();
        relay.close();
    }

    @Test
    void a_mail_task_held_past_the_connectors_limit_by_the_relays_rate_limit_keeps_the_worker_live_and_sends_each_recipient_once() {
        String p = "long" + UUID.randomUUID().toString().substring(0, 5);
        int recipients = 32;
        List<String> participants = IntStream.range(0, recipients).mapToObj(i -> p + "-" + i + "@example.cz").toList();
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(participants));

        // At 1 per second, over twice the connector's limit plus its check interval, with the job still at work.
        await().atMost(Duration.ofSeconds(90)).until(() -> acceptedFor(p).size() >= recipients - 4);
        given().get(stack.worker.baseUrl() + "/q/health/live").then().statusCode(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> "DONE".equals(given().get(job).then().extract().path("status")));
        JsonPath done = given().get(job).then().extract().jsonPath();
        assertThat(done.getList("recipients.status")).hasSize(recipients).containsOnly("SENT");
        assertThat(done.getList("recipients.attempts", Integer.class)).containsOnly(1);
        assertThat(acceptedFor(p)).as("each recipient accepted once by the relay").hasSize(recipients).doesNotHaveDuplicates();
    }

    @Test
    void launches_beyond_the_workers_slots_wait_their_turn_without_holding_up_a_mail_task() throws Exception {
        String p = "slot" + UUID.randomUUID().toString().substring(0, 5);
        long action = SystemApi.textBulkAction("Hi", "Hello.");
        String first = SystemApi.startLaunch(action, SystemApi.importedList("slots", p + "a", 20));
        SystemApi.awaitStatus(first, Duration.ofSeconds(20), java.util.Set.of("RUNNING"));
        // One slot, taken: as many launches as the worker handles send jobs at once queue behind it.
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waiting.add(SystemApi.startLaunch(action, SystemApi.importedList("slots", p + "w" + i, 1)));
        }
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(List.of(p + "-task@example.cz")));

        await().atMost(Duration.ofSeconds(15)).until(() -> "DONE".equals(given().get(job).then().extract().path("status")));
        assertThat(SystemApi.launch(first).getString("status")).as("the mail task did not wait for the running launch").isEqualTo("RUNNING");

        for (String launch : waiting) {
            JsonPath done = SystemApi.awaitFinal(launch, Duration.ofSeconds(60));
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            SystemApi.assertCountersMatchRows(done.getLong("id"));
        }
        JsonPath firstDone = SystemApi.awaitFinal(first, Duration.ofSeconds(60));
        assertThat(firstDone.getString("status")).isEqualTo("COMPLETED");
        SystemApi.assertCountersMatchRows(firstDone.getLong("id"));
    }

    private static List<String> acceptedFor(String prefix) {
        return relay.accepted().stream().flatMap(a -> a.recipients().stream()).filter(r -> r.startsWith(prefix)).toList();
    }
}
