package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** What the system tests do over HTTP, as a caller would. */
final class SystemApi {

    static final Set<String> FINAL = Set.of("COMPLETED", "COMPLETED_WITH_ERRORS", "CANCELLED");

    private SystemApi() {
    }

    /** A list of {@code n} new contacts {prefix}{i}@example.cz with first name {prefix}{i}, imported as CSV. */
    static long importedList(String name, String prefix, int n) {
        long list = given().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/lists").then().statusCode(201).extract().jsonPath().getLong("id");
        StringBuilder csv = new StringBuilder("email,firstName\n");
        for (int i = 0; i < n; i++) {
            csv.append(prefix).append(i).append("@example.cz,").append(prefix).append(i).append('\n');
        }
        given().contentType("text/csv; charset=UTF-8").body(csv.toString()).queryParam("listId", list).post("/api/v1/contacts/import")
                .then().statusCode(200);
        return list;
    }

    /** A plain-text bulk action from news@example.cz. */
    static long textBulkAction(String subject, String body) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("name", "N", "from", "news@example.cz", "subject", subject, "textBody", body))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** Launches the bulk action over one list; returns the launch's Location. */
    static String startLaunch(long action, long list) {
        return given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().log().ifValidationFails().statusCode(202).extract().header("Location");
    }

    static JsonPath launch(String location) {
        return given().get(location).then().statusCode(200).extract().jsonPath();
    }

    static JsonPath awaitStatus(String location, Duration timeout, Set<String> statuses) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> statuses.contains(launch(location).getString("status")));
        return launch(location);
    }

    static JsonPath awaitFinal(String location, Duration timeout) {
        return awaitStatus(location, timeout, FINAL);
    }

    /** OMAILUL's value for a mail task: " " INDIVIDUAL, "0" BULK, "1" CLIENT. */
    static void setMailMode(String taskId, String value) {
        given().contentType(ContentType.JSON).body(Map.of("value", value)).put("/api/v1/codebooks/OMAILUL/entries/" + taskId)
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    /** A new meeting whose participants are these plain addresses. */
    static long meetingWith(List<String> participants) {
        return given().contentType(ContentType.JSON).body(Map.of("type", "MEETING", "subject", "Porada",
                "participants", participants.stream().map(e -> Map.of("email", e)).toList()))
                .post("/api/v1/activities").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** Runs the participants task (queued: INDIVIDUAL or BULK); returns the mail job's location. */
    static String runParticipantsTask(long activity) {
        return given().contentType(ContentType.JSON).body(Map.of("task", "participants"))
                .post("/api/v1/activities/{id}/mail-tasks", activity).then().statusCode(202).extract().header("Location");
    }

    /**
     * Waits until no worker drives the launch any more: nothing claimed, the lease released. For a paused or
     * cancelled launch this is the moment after which nothing more can be sent.
     */
    static void awaitIdle(long launchId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = Stack.shared().postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT (SELECT count(*) FROM delivery WHERE launch_id = " + launchId + " AND status = 'SENDING'), "
                            + "(SELECT owner FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = " + launchId + ")")) {
                rs.next();
                return rs.getInt(1) == 0 && rs.getString(2) == null;
            }
        });
    }

    /** The launch's counters (over HTTP) equal its delivery rows by status (in the database). */
    static void assertCountersMatchRows(long launchId) throws Exception {
        JsonPath l = given().get("/api/v1/launches/{id}", launchId).then().extract().jsonPath();
        try (Connection c = Stack.shared().postgres.connect(); ResultSet rs = c.createStatement().executeQuery("""
                SELECT count(*), count(*) FILTER (WHERE status IN ('PENDING', 'SENDING')), count(*) FILTER (WHERE status = 'SENT'),
                       count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE status = 'SKIPPED'),
                       count(*) FILTER (WHERE status = 'CANCELLED'), count(*) FILTER (WHERE bounce IS NOT NULL),
                       count(*) FILTER (WHERE complained_at IS NOT NULL) FROM delivery WHERE launch_id = """ + launchId)) {
            rs.next();
            List<Integer> rows = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                rows.add(rs.getInt(i));
            }
            assertThat(List.of(l.getInt("counters.total"), l.getInt("counters.pending"), l.getInt("counters.sent"),
                    l.getInt("counters.failed"), l.getInt("counters.skipped"), l.getInt("counters.cancelled"), l.getInt("counters.bounced"),
                    l.getInt("counters.complained")))
                    .as("counters = rows (total, pending, sent, failed, skipped, cancelled; bounced, complained)").isEqualTo(rows);
        }
    }

}
