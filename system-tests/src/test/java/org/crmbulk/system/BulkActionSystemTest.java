package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.MimeMessage;

/** Bulk actions and their launches end to end: packaged services, real Kafka, PostgreSQL and SMTP, HTTP only. */
class BulkActionSystemTest {

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
    void overlapping_lists_get_each_address_once_personalized_with_attachments_intact_and_an_activity_per_sent_mail() throws Exception {
        String p = "ov" + UUID.randomUUID().toString().substring(0, 6);
        long user = given().contentType(ContentType.JSON).body(Map.of("email", "owner@example.cz", "lastName", "Owner"))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
        long jana = contact(p + "-jana@example.cz", "Jana", false);
        long petr = contact(p + "-petr@example.cz", "Petr", false);
        long janaUpper = contact(p.toUpperCase() + "-JANA@EXAMPLE.CZ", "Jana", false);
        long out = contact(p + "-out@example.cz", "Out", true);
        long broken;
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "INSERT INTO contact (email, first_name) VALUES ('" + p + "-broken@@legacy', 'Broken') RETURNING id")) {
            rs.next();
            broken = rs.getLong(1);
        }
        long listA = list("A", jana, petr, out);
        long listB = list("B", petr, janaUpper, broken);
        byte[] pdf = new byte[50_000];
        new Random(7).nextBytes(pdf);
        byte[] csv = "kód;cena\nA1;100 Kč\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long action = given().contentType(ContentType.JSON).body("""
                {"name":"Jaro","from":"shop@example.cz","subject":"Nabídka pro {contact.firstName}",
                 "htmlBody":"<p>Dobrý den, {contact.firstName}!</p>",
                 "activity":{"create":true,"owner":"LAUNCHER"}}""")
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        given().multiPart("file", "cenik.pdf", pdf, "application/pdf").post("/api/v1/bulk-actions/{id}/attachments", action)
                .then().statusCode(201);
        given().multiPart("file", "ceny.csv", csv, "text/csv").post("/api/v1/bulk-actions/{id}/attachments", action)
                .then().statusCode(201);

        String location = given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", action, "listIds", List.of(listA, listB), "launchedByUserId", user))
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));

        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("counters.total")).isEqualTo(4);
        assertThat(done.getInt("counters.sent")).isEqualTo(2);
        assertThat(done.getInt("counters.skipped")).isEqualTo(2);
        List<MimeMessage> mails = stack.smtp.received();
        assertThat(mails).extracting(Mails::recipient)
                .containsExactlyInAnyOrder(p + "-jana@example.cz", p + "-petr@example.cz");
        for (MimeMessage mail : mails) {
            String name = Mails.recipient(mail).contains("jana") ? "Jana" : "Petr";
            assertThat(mail.getSubject()).isEqualTo("Nabídka pro " + name);
            assertThat(Mails.parts(mail, "text/html")).contains("Dobrý den, " + name + "!");
            assertThat(Mails.parts(mail, "text/plain")).contains("Dobrý den, " + name + "!");
            assertThat(Mails.attachment(mail, "cenik.pdf")).isEqualTo(pdf);
            assertThat(Mails.attachment(mail, "ceny.csv")).isEqualTo(csv);
        }
        List<Map<String, Object>> deliveries = given().get(location + "/deliveries").then().extract().jsonPath().getList("items");
        assertThat(deliveries).filteredOn(d -> "SKIPPED".equals(d.get("status"))).extracting(d -> (String) d.get("lastReply"))
                .anySatisfy(r -> assertThat(r).contains("opted out"))
                .anySatisfy(r -> assertThat(r).contains("invalid address"));
        assertThat(deliveries).filteredOn(d -> "SENT".equals(d.get("status"))).allSatisfy(d -> assertThat(d.get("activityId")).isNotNull());
        assertThat(deliveries).filteredOn(d -> !"SENT".equals(d.get("status"))).allSatisfy(d -> assertThat(d.get("activityId")).isNull());
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE owner_user_id = " + user + " AND status = 'DONE' AND type = 'EMAIL'"
                        + " AND subject LIKE 'Nabídka pro %') FROM activity WHERE launch_id = " + done.getLong("id"))) {
            rs.next();
            assertThat(rs.getInt(1)).as("an activity for each SENT delivery, no more").isEqualTo(2);
            assertThat(rs.getInt(2)).isEqualTo(2);
        }
        assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_paused_launch_sends_nothing_until_resumed_and_then_completes() throws Exception {
        long list = SystemApi.importedList("Pause", "pause" + UUID.randomUUID().toString().substring(0, 4), 600);
        String location = launch(list, null);
        SystemApi.awaitStatus(location, Duration.ofSeconds(30), Set.of("RUNNING"));
        given().post(location + "/pause").then().statusCode(200);
        SystemApi.awaitStatus(location, Duration.ofSeconds(10), Set.of("PAUSED"));
        long launchId = SystemApi.launch(location).getLong("id");
        // Once nothing is claimed and no worker holds the launch, nothing more can go out until it is resumed.
        SystemApi.awaitIdle(launchId);
        JsonPath paused = SystemApi.launch(location);
        assertThat(stack.smtp.received()).as("every message the relay took is recorded, no more").hasSize(paused.getInt("counters.sent"));
        assertThat(paused.getInt("counters.sent")).isLessThan(600);
        assertCountersMatchRows(launchId);

        given().post(location + "/resume").then().statusCode(200);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(done.getInt("counters.sent")).isEqualTo(600);
        assertThat(stack.smtp.received()).hasSize(600);
        assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_cancelled_launch_stops_and_every_unsent_recipient_is_cancelled() throws Exception {
        long list = SystemApi.importedList("Cancel", "cancel" + UUID.randomUUID().toString().substring(0, 4), 600);
        String location = launch(list, null);
        SystemApi.awaitStatus(location, Duration.ofSeconds(30), Set.of("RUNNING"));
        given().post(location + "/cancel").then().statusCode(200);
        SystemApi.awaitIdle(SystemApi.launch(location).getLong("id"));

        JsonPath done = SystemApi.launch(location);
        assertThat(done.getString("status")).isEqualTo("CANCELLED");
        assertThat(done.getInt("counters.pending")).isZero();
        assertThat(done.getInt("counters.sent") + done.getInt("counters.cancelled")).isEqualTo(600);
        assertThat(done.getInt("counters.cancelled")).isPositive();
        assertThat(stack.smtp.received()).hasSize(done.getInt("counters.sent"));
        assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_repeated_launch_request_with_the_same_idempotency_key_launches_once() throws Exception {
        long list = SystemApi.importedList("Idem", "idem" + UUID.randomUUID().toString().substring(0, 4), 3);
        long action = bulkAction();
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = Map.of("bulkActionId", action, "listIds", List.of(list));
        String first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
        String second = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");

        assertThat(second).isEqualTo(first);
        SystemApi.awaitFinal(first, Duration.ofSeconds(30));
        given().queryParam("bulkActionId", action).get("/api/v1/launches").then().statusCode(200)
                .body("items.size()", org.hamcrest.Matchers.equalTo(1));
        assertThat(stack.smtp.received()).hasSize(3);
        assertCountersMatchRows(SystemApi.launch(first).getLong("id"));
    }

    @Test
    void a_scheduled_launch_fires_at_its_time() throws Exception {
        long list = SystemApi.importedList("Later", "later" + UUID.randomUUID().toString().substring(0, 4), 2);
        OffsetDateTime at = OffsetDateTime.now().plusSeconds(3);
        String location = launch(list, at);
        assertThat(SystemApi.launch(location).getString("status")).isEqualTo("SCHEDULED");

        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(30));
        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(OffsetDateTime.parse(done.getString("startedAt"))).isAfterOrEqualTo(at);
        assertThat(stack.smtp.received()).hasSize(2);
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT min(first_attempt_at) >= '" + at + "' FROM delivery WHERE launch_id = " + done.getLong("id"))) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("nothing tried before its time").isTrue();
        }
        assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void a_test_send_reaches_only_the_given_addresses_rendered_for_a_contact_and_is_no_launch() {
        long jana = contact("ts-" + UUID.randomUUID().toString().substring(0, 6) + "@example.cz", "Jana", false);
        long action = bulkAction();

        String location = given().contentType(ContentType.JSON)
                .body(Map.of("addresses", List.of("qa1@example.cz", "qa2@example.cz"), "contactId", jana))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(202).extract().header("Location");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> "DONE".equals(given().get(location).then().extract().jsonPath().getString("status")));

        JsonPath done = given().get(location).then().extract().jsonPath();
        assertThat(done.getList("results.accepted", Boolean.class)).containsExactly(true, true);
        assertThat(stack.smtp.received()).extracting(Mails::recipient)
                .containsExactlyInAnyOrder("qa1@example.cz", "qa2@example.cz");
        assertThat(stack.smtp.received()).allSatisfy(m -> assertThat(m.getSubject()).isEqualTo("Hi Jana"));
        given().queryParam("bulkActionId", action).get("/api/v1/launches").then().body("items.size()", org.hamcrest.Matchers.equalTo(0));
        given().contentType(ContentType.JSON).body(Map.of("addresses", List.of("bad address")))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(400);
    }

    private static String launch(long list, OffsetDateTime scheduledAt) {
        Map<String, Object> body = new HashMap<>(Map.of("bulkActionId", bulkAction(), "listIds", List.of(list)));
        if (scheduledAt != null) {
            body.put("scheduledAt", scheduledAt.toString());
        }
        return given().contentType(ContentType.JSON).body(body).post("/api/v1/launches").then().statusCode(202)
                .extract().header("Location");
    }

    private static long bulkAction() {
        return given().contentType(ContentType.JSON)
                .body(Map.of("name", "N", "from", "news@example.cz", "subject", "Hi {contact.firstName}", "textBody", "Hello."))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long contact(String email, String firstName, boolean optedOut) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email, "firstName", firstName, "optedOut", optedOut))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long list(String name, Long... contactIds) {
        long id = given().contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/lists").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(contactIds))).post("/api/v1/lists/{id}/members", id)
                .then().statusCode(200);
        return id;
    }

    static void assertCountersMatchRows(long launchId) throws Exception {
        SystemApi.assertCountersMatchRows(launchId);
    }
}
