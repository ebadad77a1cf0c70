package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.matchesRegex;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

import org.crmbulk.testing.FaultySmtpServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;

/**
 * The two packaged services as separate processes on a real Kafka broker, PostgreSQL and SMTP
 * server, driven over HTTP only: the path a user takes.
 */
class CampaignSystemTest {

    private static Stack stack;

    @BeforeAll
    static void startStack() throws Exception {
        stack = Stack.shared();
    }

    @BeforeEach
    void emptyMailbox() {
        stack.smtp.purge();
    }

    @Test
    void a_campaign_launched_over_http_reaches_every_member_and_its_history_shows_it() throws Exception {
        long list = createList("Newsletter", createContacts("slice", 5));
        long action = createBulkAction("Hello {contact.firstName}", "Dear {contact.firstName}, spring offers are here.");

        String location = given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches")
                .then().statusCode(202).header("Location", matchesRegex(".*/api/v1/launches/\\d+"))
                .extract().header("Location");

        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("counters.total")).isEqualTo(5);
        assertThat(done.getInt("counters.sent")).isEqualTo(5);
        assertThat(done.getInt("counters.pending")).isZero();
        assertThat(done.getString("finishedAt")).isNotNull();
        List<MimeMessage> mails = stack.smtp.received();
        assertThat(mails).hasSize(5);
        assertThat(mails).extracting(Mails::subject).contains("Hello slice0", "Hello slice4");
        JsonPath deliveries = given().get(location + "/deliveries").then().statusCode(200).extract().jsonPath();
        assertThat(deliveries.getList("items.status")).containsOnly("SENT");
        assertThat(deliveries.getList("items.messageId", String.class))
                .containsExactlyInAnyOrderElementsOf(mails.stream().map(m -> Mails.header(m, "Message-ID")).toList());
        SystemApi.assertCountersMatchRows(done.getLong("id"));
    }

    /** 20,000 recipients into a lightweight recording relay (GreenMail would dominate the time). */
    @Test
    void a_worker_killed_with_sigkill_mid_launch_loses_nothing_and_resends_only_what_was_in_flight() throws Exception {
        int recipients = 20_000;
        long list = SystemApi.importedList("Big list", "kill", recipients);
        long action = createBulkAction("Offer for {contact.firstName}", "Hello {contact.firstName}.");
        stack.worker.close();
        try (FaultySmtpServer relay = new FaultySmtpServer()) {
            Map<String, String> toRelay = Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()));
            ServiceProcess victim = stack.startWorker(toRelay);
            String location = given().contentType(ContentType.JSON)
                    .body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                    .post("/api/v1/launches").then().statusCode(202).extract().header("Location");

            long launchId = SystemApi.launch(location).getLong("id");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> relay.acceptedCount() >= 3_000);
            // Killed while the relay holds the answers to messages it has taken: mid-batch for sure, not between two claims.
            relay.holdEveryMessage(true);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5))
                    .until(() -> relay.holding() > 0 && claimedAt(launchId) > 0);
            int heldAtKill = relay.holding();
            victim.kill();
            int seenAtKill = relay.acceptedCount();
            relay.holdEveryMessage(false);
            relay.release(); // the held messages are the relay's: what the worker never heard confirmed, the unavoidable window
            JsonPath atKill = given().get(location).then().extract().jsonPath();
            assertThat(atKill.getString("status")).as("the kill came mid-launch").isEqualTo("RUNNING");
            int inFlightAtKill = claimedAt(atKill.getLong("id"));
            assertThat(inFlightAtKill).as("deliveries were claimed, in flight, when the worker died").isPositive();
            ServiceProcess restarted = stack.startWorker(toRelay);
            try {
                JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(300));
                int possibleDuplicates = done.getInt("possibleDuplicates");
                assertThat(Mails.metric(restarted, "crm_mail_possible_duplicates_total", "mode=\"launch\""))
                        .as("the restarted worker's metric counts the resends").isEqualTo(possibleDuplicates);
                List<FaultySmtpServer.Accepted> mails = relay.accepted();
                Map<String, List<FaultySmtpServer.Accepted>> byRecipient = mails.stream()
                        .collect(Collectors.groupingBy(m -> m.recipients().get(0)));
                int extra = mails.size() - recipients;
                System.out.printf("SIGKILL report: recipients=%d, SMTP messages seen at kill=%d, total SMTP messages=%d, "
                        + "lost=%d, extra=%d, possibleDuplicates counted=%d, sentAtKill=%d, held at kill=%d%n",
                        recipients, seenAtKill, mails.size(), recipients - byRecipient.size(), extra, possibleDuplicates,
                        atKill.getInt("counters.sent"), heldAtKill);

                assertThat(done.getString("status")).isEqualTo("COMPLETED");
                assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
                assertThat(done.getInt("counters.total")).isEqualTo(recipients);
                assertThat(byRecipient).as("nothing lost: every recipient got the mail").hasSize(recipients);
                assertThat(extra).as("duplicates only from the batch in flight (at least those the relay held), and each one counted")
                        .isBetween(heldAtKill, possibleDuplicates);
                assertThat(possibleDuplicates).as("every delivery in flight at the kill was resent and counted, no other")
                        .isEqualTo(inFlightAtKill).isLessThanOrEqualTo(Stack.MAX_IN_FLIGHT);
                java.util.Set<String> flagged = new java.util.HashSet<>();
                try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                        "SELECT lower(email) FROM delivery WHERE possible_duplicate AND launch_id = " + launchId)) {
                    while (rs.next()) {
                        flagged.add(rs.getString(1));
                    }
                }
                assertThat(flagged).hasSize(possibleDuplicates);
                byRecipient.forEach((recipient, copies) -> {
                    if (copies.size() > 1) {
                        assertThat(flagged).as("a recipient with two copies is a counted possible duplicate").contains(recipient);
                        assertThat(copies.stream().map(FaultySmtpServer.Accepted::messageId).distinct())
                                .as("a resend reuses the Message-ID").hasSize(1);
                    }
                });
                try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                        "SELECT count(*), count(DISTINCT lower(email)), count(*) FILTER (WHERE status = 'SENT') FROM delivery WHERE launch_id = "
                                + launchId)) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("one delivery row per recipient").isEqualTo(recipients);
                    assertThat(rs.getInt(2)).isEqualTo(recipients);
                    assertThat(rs.getInt(3)).as("every delivery SENT").isEqualTo(recipients);
                }
                SystemApi.assertCountersMatchRows(launchId);
            } finally {
                restarted.close();
            }
        } finally {
            stack.restoreWorker();
        }
    }

    @Test
    void a_worker_stopped_with_sigterm_mid_launch_records_its_last_batch_releases_the_launch_and_sends_nothing_twice()
            throws Exception {
        int recipients = 1_000;
        long list = SystemApi.importedList("Graceful", "term", recipients);
        long action = createBulkAction("Note for {contact.firstName}", "Hello {contact.firstName}.");
        String location = given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
        long launchId = SystemApi.launch(location).getLong("id");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> stack.smtp.received().size() >= 200);

        stack.worker.close(); // SIGTERM, waits for the process to exit
        int seenAtStop = stack.smtp.received().size();
        JsonPath atStop = SystemApi.launch(location);
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT (SELECT count(*) FROM delivery WHERE launch_id = " + launchId + " AND status = 'SENDING'), "
                        + "(SELECT owner FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = " + launchId + ")")) {
            rs.next();
            assertThat(rs.getInt(1)).as("nothing left claimed").isZero();
            assertThat(rs.getString(2)).as("the lease is released, not left to lapse").isNull();
        }
        assertThat(atStop.getString("status")).as("stopped mid-launch").isEqualTo("RUNNING");
        assertThat(atStop.getInt("counters.sent")).as("every message the relay took is recorded").isEqualTo(seenAtStop);

        stack.worker = stack.startWorker();
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(120));
        System.out.printf("SIGTERM report: recipients=%d, SMTP messages at stop=%d, total=%d, lost=%d, extra=%d, "
                + "possibleDuplicates=%d%n", recipients, seenAtStop, stack.smtp.received().size(),
                recipients - stack.smtp.received().stream().map(Mails::recipient).distinct().count(),
                stack.smtp.received().size() - recipients, done.getInt("possibleDuplicates"));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("possibleDuplicates")).isZero();
        assertThat(stack.smtp.received()).as("each recipient exactly once").hasSize(recipients);
        assertThat(stack.smtp.received().stream().map(Mails::recipient).distinct()).hasSize(recipients);
        SystemApi.assertCountersMatchRows(launchId);
    }

    /** Deliveries of the launch claimed (SENDING) right now. */
    private static int claimedAt(long launchId) throws Exception {
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*) FROM delivery WHERE status = 'SENDING' AND launch_id = " + launchId)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static long createList(String name, List<Long> contactIds) {
        long id = given().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/lists").then().statusCode(201).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("contactIds", contactIds))
                .post("/api/v1/lists/{id}/members", id).then().statusCode(200);
        return id;
    }

    private static long createBulkAction(String subject, String body) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("name", "Campaign", "from", "news@shop.example.cz", "subject", subject, "textBody", body))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** Creates contacts over HTTP, eight requests at a time. */
    private static List<Long> createContacts(String prefix, int n) {
        HttpClient http = HttpClient.newHttpClient();
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<Long>> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String json = "{\"email\":\"" + prefix + i + "@example.cz\",\"firstName\":\"" + prefix + i + "\"}";
            inFlight.acquireUninterruptibly();
            ids.add(http.sendAsync(HttpRequest.newBuilder(URI.create(RestAssured.baseURI + "/api/v1/contacts"))
                            .header("Content-Type", "application/json").header("Authorization", Stack.BEARER).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> inFlight.release())
                    .thenApply(r -> {
                        if (r.statusCode() != 201) {
                            throw new IllegalStateException("contact not created: " + r.body());
                        }
                        return JsonPath.from(r.body()).getLong("id");
                    }));
        }
        return ids.stream().map(CompletableFuture::join).toList();
    }
}
