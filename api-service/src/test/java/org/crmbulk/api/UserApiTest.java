package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class UserApiTest {

    @Test
    void a_user_is_created_updated_deactivated_and_listed_by_state() {
        String ext = "U-" + UUID.randomUUID();
        long id = given().contentType(ContentType.JSON)
                .body(Map.of("externalId", ext, "email", "novak@example.cz", "firstName", "Jan", "lastName", "Novák"))
                .post("/api/v1/users").then().statusCode(201).body("active", equalTo(true))
                .extract().jsonPath().getLong("id");

        given().contentType(ContentType.JSON).body(Map.of("externalId", ext, "email", "jan.novak@example.cz", "lastName", "Novák"))
                .put("/api/v1/users/{id}", id).then().statusCode(200).body("email", equalTo("jan.novak@example.cz"));
        given().post("/api/v1/users/{id}/deactivate", id).then().statusCode(200).body("active", equalTo(false));
        given().queryParam("active", true).queryParam("limit", 1000).get("/api/v1/users").then().body("items.id", not(hasItem((int) id)));
        given().queryParam("active", false).queryParam("limit", 1000).get("/api/v1/users").then().body("items.id", hasItem((int) id));
        given().post("/api/v1/users/{id}/activate", id).then().statusCode(200).body("active", equalTo(true));
        given().get("/api/v1/users/{id}", id).then().statusCode(200).body("lastName", equalTo("Novák"));
    }

    @Test
    void bad_user_input_is_refused() {
        given().contentType(ContentType.JSON).body(Map.of("email", "nope")).post("/api/v1/users").then().statusCode(400)
                .body("errors[0].field", equalTo("email"));
        given().get("/api/v1/users/{id}", 55_555_555).then().statusCode(404);
        given().post("/api/v1/users/{id}/deactivate", 55_555_555).then().statusCode(404);
        String ext = "DUP-" + UUID.randomUUID();
        given().contentType(ContentType.JSON).body(Map.of("email", "d1@example.cz", "externalId", ext)).post("/api/v1/users")
                .then().statusCode(201);
        given().contentType(ContentType.JSON).body(Map.of("email", "d2@example.cz", "externalId", ext)).post("/api/v1/users")
                .then().statusCode(409).body("errors[0].field", equalTo("externalId"));
    }
}
