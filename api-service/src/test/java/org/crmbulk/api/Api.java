package org.crmbulk.api;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

/** Test-data builders that go through the HTTP API, as a caller would. */
final class Api {

    private Api() {
    }

    static long contact(String email, String firstName) {
        return given().contentType(ContentType.JSON).body(Map.of("email", email, "firstName", firstName))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static long list(String name, Long... contactIds) {
        long id = given().contentType(ContentType.JSON).body(Map.of("name", name))
                .post("/api/v1/lists").then().statusCode(201).extract().jsonPath().getLong("id");
        if (contactIds.length > 0) {
            given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(contactIds)))
                    .post("/api/v1/lists/{id}/members", id).then().statusCode(200);
        }
        return id;
    }

    static long bulkAction(String subject, String body) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("name", "Spring offer", "from", "news@shop.example.cz", "subject", subject, "textBody", body))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static ValidatableResponse post(String path, String json) {
        return given().contentType(ContentType.JSON).body(json).post(path).then();
    }
}
