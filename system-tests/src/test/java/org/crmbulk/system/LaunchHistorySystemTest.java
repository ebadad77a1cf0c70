package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * A launch sends exactly what its history says: its content is frozen at acceptance, an edit of the
 * bulk action while it runs changes none of its messages, and deleting a list or a contact leaves its
 * history as it was. The worker sends at 40 messages a second here, so a launch can be paused midway.
 */
class LaunchHistorySystemTest {

    private static Stack stack;

    @BeforeAll
    static void slowWorker() throws Exception {
        stack = Stack.shared();
        stack.replaceWorker(Map.of("CRM_RATE_PER_SECOND", "40"));
    }

    @AfterAll
    static void restore() throws Exception {
        stack.restoreWorker();
    }

    @Test
    void an_edit_while_a_launch_runs_changes_none_of_its_messages_and_its_history_returns_what_was_sent() throws Exception {
        String p = "hist" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("History " + p, p, 150);
        byte[] v1Pdf = new byte[20_000];
        new Random(1).nextBytes(v1Pdf);
        long action = given().contentType(ContentType.JSON).body(Map.of("name", "Jaro", "from", "shop@example.cz",
                "fromName", "Obchod Jaro", "subject", "v1 pro {contact.firstName}", "textBody", "první text"))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        long v1Attachment = given().multiPart("file", "v1.pdf", v1Pdf, "application/pdf").post("/api/v1/bulk-actions/{id}/attachments", action)
                .then().statusCode(201).extract().jsonPath().getLong("id");

        String location = SystemApi.startLaunch(action, list);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> SystemApi.launch(location).getInt("counters.sent") >= 20);
        given().post(location + "/pause").then().statusCode(200);
        SystemApi.awaitStatus(location, Duration.ofSeconds(10), java.util.Set.of("PAUSED"));
        int sentAtPause = SystemApi.launch(location).getInt("counters.sent");

        given().contentType(ContentType.JSON).body(Map.of("name", "Jaro", "from", "other@example.cz", "fromName", "Jiný",
                "subject", "v2 pro {contact.firstName}", "textBody", "druhý text")).put("/api/v1/bulk-actions/{id}", action)
                .then().statusCode(200).body("version", org.hamcrest.Matchers.equalTo(3));
        given().delete("/api/v1/bulk-actions/{id}/attachments/{a}", action, v1Attachment).then().statusCode(204);
        given().multiPart("file", "v2.pdf", "v2".getBytes(StandardCharsets.UTF_8), "application/pdf")
                .post("/api/v1/bulk-actions/{id}/attachments", action).then().statusCode(201);

        given().post(location + "/resume").then().statusCode(200);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));

        assertThat(done.getString("status")).isEqualTo("COMPLETED");
        assertThat(sentAtPause).as("paused midway").isBetween(20, 149);
        List<MimeMessage> mine = stack.smtp.received().stream().filter(m -> Mails.recipient(m).startsWith(p)).toList();
        assertThat(mine).as("one message per recipient").hasSize(150);
        for (MimeMessage m : mine) {
            assertThat(Mails.subject(m)).startsWith("v1 pro " + p);
            // The frozen text, then the campaign's own opt-out footer (the footer is the message's, not the content's).
            String text = Mails.parts(m, "text/plain");
            assertThat(text.split("\\r?\\n\\r?\\n-- \\r?\\n")[0]).isEqualTo("první text");
            assertThat(text).contains("Unsubscribe: " + stack.api.baseUrl() + "/u/sys.");
            InternetAddress from = (InternetAddress) m.getFrom()[0];
            assertThat(from.getAddress()).isEqualTo("shop@example.cz");
            assertThat(from.getPersonal()).isEqualTo("Obchod Jaro");
            assertThat(Mails.attachment(m, "v1.pdf")).isEqualTo(v1Pdf);
            assertThat(Mails.attachment(m, "v2.pdf")).isNull();
        }
        assertThat(done.getInt("contentVersion")).isEqualTo(2);
        given().get(location + "/content").then().statusCode(200)
                .body("version", org.hamcrest.Matchers.equalTo(2))
                .body("subject", org.hamcrest.Matchers.equalTo("v1 pro {contact.firstName}"))
                .body("textBody", org.hamcrest.Matchers.equalTo("první text"))
                .body("fromName", org.hamcrest.Matchers.equalTo("Obchod Jaro"))
                .body("attachments.filename", org.hamcrest.Matchers.equalTo(List.of("v1.pdf")));
        SystemApi.assertCountersMatchRows(done.getLong("id"));
    }

    @Test
    void deleting_a_list_and_a_contact_leaves_a_finished_launch_history_as_it_was() throws Exception {
        String p = "keep" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("Kept " + p, p, 3);
        String location = SystemApi.startLaunch(SystemApi.textBulkAction("Hi {contact.firstName}", "Body"), list);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(30));
        long launch = done.getLong("id");
        String historyBefore = history(launch);
        long contact = given().get("/api/v1/launches/{id}/deliveries", launch).then().extract().jsonPath().getLong("items[0].contactId");

        given().delete("/api/v1/lists/{id}", list).then().statusCode(204);
        given().delete("/api/v1/contacts/{id}", contact).then().statusCode(204);

        assertThat(history(launch)).isEqualTo(historyBefore);
        JsonPath after = SystemApi.launch(location);
        assertThat(after.getList("listIds", Long.class)).containsExactly(list);
        assertThat(after.getString("lists[0].name")).isEqualTo("Kept " + p);
        SystemApi.assertCountersMatchRows(launch);
    }

    @Test
    void a_test_send_that_cannot_be_rendered_ends_with_the_reason_instead_of_staying_sending() {
        String p = "render" + UUID.randomUUID().toString().substring(0, 6);
        long contact = given().contentType(ContentType.JSON).body(Map.of("email", p + "@example.cz",
                "customFields", Map.of("items", IntStream.range(0, 101).boxed().toList())))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
        long action = SystemApi.textBulkAction("Items", "{#for i in contact.custom.items}{i},{/for}");
        String location = given().contentType(ContentType.JSON).body(Map.of("addresses", List.of(p + "@example.cz"), "contactId", contact))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(202).extract().header("Location");

        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(location).then().extract().jsonPath().getString("status")));
        JsonPath result = given().get(location).then().extract().jsonPath();
        assertThat(result.getBoolean("results[0].accepted")).isFalse();
        assertThat(result.getString("results[0].reply")).startsWith("template:").contains("at most 100");
        assertThat(stack.smtp.received().stream().map(Mails::recipient)).doesNotContain(p + "@example.cz");
    }

    /** What the history shows of a launch: the launch, its content and every delivery with its address and contact. */
    private static String history(long launch) {
        String view = given().get("/api/v1/launches/{id}", launch).then().statusCode(200).extract().asString();
        String content = given().get("/api/v1/launches/{id}/content", launch).then().statusCode(200).extract().asString();
        String deliveries = given().queryParam("limit", 1000).get("/api/v1/launches/{id}/deliveries", launch).then().statusCode(200)
                .extract().asString();
        return view + "\n" + content + "\n" + deliveries;
    }
}
