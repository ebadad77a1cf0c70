package org.crmbulk.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every bad input gets problem+json naming the field and the reason, and changes nothing. */
@QuarkusTest
class BadInputTest {

    static List<Arguments> refusals() {
        return List.of(
                Arguments.of("address without a domain", "/api/v1/contacts", "{\"email\":\"jana\"}", 400, "email"),
                Arguments.of("header injection in an address", "/api/v1/contacts",
                        "{\"email\":\"jana@example.cz\\r\\nBcc: all@example.cz\"}", 400, "email"),
                Arguments.of("IDN domain not in ASCII form", "/api/v1/contacts", "{\"email\":\"jana@háčky.cz\"}", 400, "email"),
                Arguments.of("CR/LF in a name", "/api/v1/contacts",
                        "{\"email\":\"jana@example.cz\",\"firstName\":\"Jana\\r\\nBcc: x@example.cz\"}", 400, "firstName"),
                Arguments.of("missing address", "/api/v1/contacts", "{\"firstName\":\"Jana\"}", 400, "email"),
                Arguments.of("malformed JSON", "/api/v1/contacts", "{\"email\": ", 400, "body"),
                Arguments.of("wrong type", "/api/v1/lists", "{\"name\": {\"a\": 1}}", 400, "name"),
                Arguments.of("unknown field", "/api/v1/lists", "{\"name\":\"x\",\"colour\":\"red\"}", 400, "colour"),
                Arguments.of("empty body", "/api/v1/lists", "", 400, null),
                Arguments.of("CR/LF in a subject", "/api/v1/bulk-actions",
                        "{\"name\":\"n\",\"from\":\"a@example.cz\",\"subject\":\"Hi\\r\\nBcc: x@example.cz\",\"textBody\":\"b\"}", 400, "subject"),
                Arguments.of("invalid sender", "/api/v1/bulk-actions",
                        "{\"name\":\"n\",\"from\":\"not an address\",\"subject\":\"Hi\",\"textBody\":\"b\"}", 400, "from"),
                Arguments.of("launch without lists", "/api/v1/launches", "{\"bulkActionId\":1,\"listIds\":[]}", 400, "listIds"),
                Arguments.of("members of an unknown list", "/api/v1/lists/777777/members", "{\"contactIds\":[1]}", 404, "id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void is_refused_with_a_problem_naming_the_field(String what, String path, String json, int status, String field) throws Exception {
        long before = rowsInAllTables();

        var response = given().contentType(ContentType.JSON).body(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post(path).then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status));
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }

        assertThat(rowsInAllTables()).as("nothing changed").isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void the_reason_for_an_invalid_address_is_given() {
        given().contentType(ContentType.JSON).body("{\"email\":\"jana@háčky.cz\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/contacts").then().statusCode(400)
                .body("errors[0].reason", containsString("xn--"));
    }

    @org.junit.jupiter.api.Test
    void a_duplicate_external_id_is_a_conflict() {
        given().contentType(ContentType.JSON).body("{\"email\":\"x1@example.cz\",\"externalId\":\"ERP-1\"}")
                .post("/api/v1/contacts").then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"email\":\"x2@example.cz\",\"externalId\":\"ERP-1\"}")
                .post("/api/v1/contacts").then().statusCode(409).contentType("application/problem+json")
                .body("errors[0].field", equalTo("externalId"));
    }

    private static long rowsInAllTables() throws Exception {
        return LaunchApiTest.count("""
                SELECT (SELECT count(*) FROM contact) + (SELECT count(*) FROM marketing_list) + (SELECT count(*) FROM list_member)
                     + (SELECT count(*) FROM bulk_action) + (SELECT count(*) FROM launch) + (SELECT count(*) FROM outbox)""");
    }
}
