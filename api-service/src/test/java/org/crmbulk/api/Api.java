package org.crmbulk.api;

import java.util.List;
import java.util.Map;

import org.crmbulk.testing.TestTokens;

import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.restassured.response.ValidatableResponse;

/** Test-data builders that go through the HTTP API, as a caller would. */
final class Api {

    /** Who the tests of behaviour call as: someone with every role (access itself is specified in AccessControlTest). */
    static final String TESTER = "tester";

    private Api() {
    }

    static RequestSpecification given() {
        return as(TESTER, TestTokens.READER, TestTokens.MANAGER, TestTokens.CODEBOOK_ADMIN);
    }

    /** Every answer is also checked against openapi.yaml ({@link ContractFilter}). */
    static RequestSpecification as(String caller, String... roles) {
        return RestAssured.given().filter(ContractFilter.INSTANCE).auth().oauth2(TestTokens.withRoles(caller, roles));
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
