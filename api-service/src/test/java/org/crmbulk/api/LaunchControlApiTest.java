package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import org.crmbulk.testing.TestTokens;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Launch control and history over HTTP; no worker runs here, so the tests write what it would. */
@QuarkusTest
class LaunchControlApiTest {

    @TestHTTPResource("/")
    URI base;

    static long launch(Map<String, Object> body) {
        return launchAs(given(), body);
    }

    static long launchAs(RequestSpecification caller, Map<String, Object> body) {
        return caller.contentType(ContentType.JSON).body(body).post("/api/v1/launches").then().statusCode(202)
                .extract().jsonPath().getLong("id");
    }

    static Map<String, Object> body() {
        return Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(Api.list("L")));
    }

    static void sql(String sql) throws Exception {
        try (Connection c = LaunchApiTest.db()) {
            c.createStatement().executeUpdate(sql);
        }
    }

    @Test
    void a_repeated_idempotency_key_replays_the_first_answer_a_different_body_is_refused_and_keys_are_per_caller() throws Exception {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = body();
        long before = LaunchApiTest.count("SELECT count(*) FROM launch");

        var first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/api/v1/launches")
                .then().statusCode(202).extract();
        var again = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/api/v1/launches")
                .then().statusCode(202).extract();

        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(again.body().asString()).isEqualTo(first.body().asString());
        assertThat(LaunchApiTest.count("SELECT count(*) FROM launch")).isEqualTo(before + 1);
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body())
                .post("/api/v1/launches").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("Idempotency-Key"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM launch")).isEqualTo(before + 1);

        // Another caller's key of the same value is another request: their own launch, never the first caller's answer.
        var theirs = Api.as("someone-else", TestTokens.MANAGER).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/v1/launches").then().statusCode(202).body("launchedBy", equalTo("someone-else")).extract();
        assertThat(theirs.header("Location")).isNotEqualTo(first.header("Location"));
        Api.as("someone-else", TestTokens.MANAGER).contentType(ContentType.JSON).header("Idempotency-Key", key).body(body)
                .post("/api/v1/launches").then().statusCode(202).header("Location", theirs.header("Location"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM launch")).isEqualTo(before + 2);
    }

    @Test
    void a_launch_in_the_future_is_scheduled_and_one_in_the_past_refused() {
        Map<String, Object> body = new java.util.HashMap<>(body());
        body.put("scheduledAt", OffsetDateTime.now().plusHours(1).toString());
        long id = launch(body);
        given().get("/api/v1/launches/{id}", id).then().body("status", equalTo("SCHEDULED"));
        body.put("scheduledAt", OffsetDateTime.now().minusMinutes(1).toString());
        given().contentType(ContentType.JSON).body(body).post("/api/v1/launches").then().statusCode(400)
                .body("errors[0].field", equalTo("scheduledAt"));
    }

    @Test
    void pause_resume_and_cancel_move_the_launch_and_cancel_ends_every_unsent_delivery() throws Exception {
        long id = launch(body());
        given().post("/api/v1/launches/{id}/resume", id).then().statusCode(409).body("errors[0].field", equalTo("status"));
        Api.as("dvorak", TestTokens.MANAGER).post("/api/v1/launches/{id}/pause", id).then().statusCode(200)
                .body("status", equalTo("PAUSED")).body("pauseReason", equalTo("paused by dvorak"))
                .body("statusChangedBy", equalTo("dvorak")).body("launchedBy", equalTo(Api.TESTER));
        given().post("/api/v1/launches/{id}/resume", id).then().statusCode(200).body("status", equalTo("QUEUED"))
                .body("statusChangedBy", equalTo(Api.TESTER));
        // As if a worker had expanded it and sent one of three.
        sql("UPDATE launch SET status = 'RUNNING', started_at = now(), total = 3, pending = 2, sent = 1 WHERE id = " + id);
        sql("INSERT INTO delivery (launch_id, email, status) VALUES (" + id + ", 'a@example.cz', 'SENT'), (" + id
                + ", 'b@example.cz', 'PENDING'), (" + id + ", 'c@example.cz', 'PENDING')");

        given().post("/api/v1/launches/{id}/cancel", id).then().statusCode(200)
                .body("status", equalTo("CANCELLED"))
                .body("counters.cancelled", equalTo(2)).body("counters.pending", equalTo(0)).body("counters.sent", equalTo(1));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM delivery WHERE launch_id = " + id + " AND status = 'CANCELLED'"))
                .isEqualTo(2);
        given().post("/api/v1/launches/{id}/cancel", id).then().statusCode(409);
        given().post("/api/v1/launches/{id}/pause", id).then().statusCode(409);
        given().post("/api/v1/launches/{id}/pause", 76_767_676).then().statusCode(404);
    }

    @Test
    void the_history_lists_newest_first_filtered_and_paged() {
        String who = "hist-" + UUID.randomUUID();
        long a = launchAs(Api.as(who, TestTokens.MANAGER), body());
        long b = launchAs(Api.as(who, TestTokens.MANAGER), body());
        long c = launchAs(Api.as(who, TestTokens.MANAGER), body());
        launch(body());

        var page1 = given().queryParam("launchedBy", who).queryParam("limit", 2).get("/api/v1/launches").then()
                .statusCode(200).extract().jsonPath();
        assertThat(page1.getList("items.id", Long.class)).containsExactly(c, b);
        given().queryParam("launchedBy", who).queryParam("before", page1.getLong("nextBefore")).get("/api/v1/launches")
                .then().body("items.id", equalTo(List.of((int) a)));
        given().queryParam("launchedBy", who).queryParam("status", "QUEUED").queryParam("from", OffsetDateTime.now().minusHours(1).toString())
                .get("/api/v1/launches").then().body("items.size()", equalTo(3));
        given().queryParam("launchedBy", who).queryParam("to", OffsetDateTime.now().minusHours(1).toString())
                .get("/api/v1/launches").then().body("items.size()", equalTo(0));
        given().queryParam("status", "DONE").get("/api/v1/launches").then().statusCode(400).body("errors[0].field", equalTo("status"));
    }

    @Test
    void deliveries_export_as_csv() throws Exception {
        long id = launch(body());
        sql("INSERT INTO delivery (launch_id, email, status, last_reply) VALUES (" + id + ", 'x@example.cz', 'FAILED', '550 no, \"really\"'), ("
                + id + ", 'y@example.cz', 'SKIPPED', '=cmd')");
        String csv = given().get("/api/v1/launches/{id}/deliveries.csv", id).then().statusCode(200)
                .contentType(startsWith("text/csv")).extract().asString();
        assertThat(csv.split("\r\n")).containsExactly(
                "id,email,status,attempts,last_reply,message_id,possible_duplicate,sent_at,contact_id,activity_id,bounce,bounce_diagnostic,bounced_at,complained_at",
                csv.split("\r\n")[1], csv.split("\r\n")[2]);
        assertThat(csv).contains(",x@example.cz,FAILED,0,\"550 no, \"\"really\"\"\",,false,,,").contains(",'=cmd,");
        given().get("/api/v1/launches/{id}/deliveries.csv", 65_656_565).then().statusCode(404);
    }

    @Test
    void progress_streams_as_server_sent_events_until_the_launch_is_final() throws Exception {
        long id = launch(body());
        HttpClient http = HttpClient.newHttpClient();
        java.util.concurrent.BlockingQueue<String> data = new java.util.concurrent.LinkedBlockingQueue<>();
        CompletableFuture<Void> ended = http.sendAsync(
                HttpRequest.newBuilder(base.resolve("/api/v1/launches/" + id + "/events"))
                        .header("Authorization", "Bearer " + TestTokens.everyRole(Api.TESTER)).build(),
                HttpResponse.BodyHandlers.ofInputStream()).thenAccept(r -> {
                    try (BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            if (line.startsWith("data:")) {
                                data.add(line.substring(5));
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        // Each change is made once the stream has shown the state before it: no guessing how long a poll takes.
        assertThat(data.poll(10, TimeUnit.SECONDS)).contains("\"status\":\"QUEUED\"");
        sql("UPDATE launch SET status = 'RUNNING', total = 2, pending = 1, sent = 1 WHERE id = " + id);
        assertThat(data.poll(10, TimeUnit.SECONDS)).contains("\"status\":\"RUNNING\"").contains("\"sent\":1");
        sql("UPDATE launch SET status = 'COMPLETED', pending = 0, sent = 2, finished_at = now() WHERE id = " + id);
        assertThat(data.poll(10, TimeUnit.SECONDS)).contains("\"status\":\"COMPLETED\"").contains("\"sent\":2");

        ended.get(10, TimeUnit.SECONDS);
        assertThat(data).as("the stream ends with the final state").isEmpty();
    }
}
