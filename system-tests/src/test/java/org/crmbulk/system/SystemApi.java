package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
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
        given().contentType("text/csv").body(csv.toString()).queryParam("listId", list).post("/api/v1/contacts/import")
                .then().statusCode(200);
        return list;
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
}
