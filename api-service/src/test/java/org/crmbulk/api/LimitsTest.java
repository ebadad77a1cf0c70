package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crmbulk.api.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Limits a caller meets (the test profile sets them low: 50 launch recipients, 4 per mail task, 40 sends in a burst). */
@QuarkusTest
class LimitsTest {

    @Test
    void a_launch_over_lists_larger_than_the_limit_is_refused_and_nothing_is_written() throws Exception {
        String p = "big" + UUID.randomUUID().toString().substring(0, 8);
        long list = Api.list("Too big " + p);
        String csv = "email\n" + IntStream.range(0, 51).mapToObj(i -> "m" + i + "@" + p + ".cz").collect(Collectors.joining("\n"));
        given().contentType("text/csv; charset=UTF-8").body(csv).queryParam("listId", list).post("/api/v1/contacts/import").then().statusCode(200);
        long launches = LaunchApiTest.count("SELECT count(*) FROM launch");

        given().contentType(ContentType.JSON).body(Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("listIds")).body("errors[0].reason", containsString("51 members"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM launch")).isEqualTo(launches);
    }

    @Test
    void a_mail_task_to_more_recipients_than_the_limit_is_refused_and_no_job_is_written() throws Exception {
        List<Map<String, String>> five = IntStream.range(0, 5).mapToObj(i -> Map.of("email", "cc" + i + "@example.cz")).toList();
        long activity = given().contentType(ContentType.JSON).body(Map.of("type", "MEETING", "subject", "Kick-off", "cc", five))
                .post("/api/v1/activities").then().statusCode(201).extract().jsonPath().getLong("id");
        long jobs = LaunchApiTest.count("SELECT count(*) FROM mail_job");

        given().contentType(ContentType.JSON).body(Map.of("task", "cc")).post("/api/v1/activities/{id}/mail-tasks", activity)
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("task")).body("errors[0].reason", containsString("5 recipients"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM mail_job")).isEqualTo(jobs);
    }

    @Test
    void a_caller_who_sends_too_fast_gets_429_with_retry_after_and_other_callers_do_not() {
        String hasty = "hasty-" + UUID.randomUUID();
        Map<String, Object> testSend = Map.of("addresses", List.of("t@example.cz"));
        int accepted = 0;
        Response refused = null;
        long started = System.nanoTime();
        while (refused == null && accepted < 100) {
            Response r = Api.as(hasty, TestTokens.MANAGER).contentType(ContentType.JSON).body(testSend)
                    .post("/api/v1/bulk-actions/{id}/test-sends", 987_654_321);
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(404);
                accepted++;
            }
        }
        // The burst, plus what the rate (120 a minute in tests) refilled while the loop ran: exactly the bucket's arithmetic.
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(accepted).as("requests before the first 429 (burst 40) in %.2f s", seconds)
                .isBetween(40, 40 + (int) Math.floor(seconds * 120 / 60));
        assertThat(refused).isNotNull();
        refused.then().contentType("application/problem+json").body("status", equalTo(429));
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        Api.as("patient-" + UUID.randomUUID(), TestTokens.MANAGER).contentType(ContentType.JSON).body(testSend)
                .post("/api/v1/bulk-actions/{id}/test-sends", 987_654_321).then().statusCode(404);
    }
}
