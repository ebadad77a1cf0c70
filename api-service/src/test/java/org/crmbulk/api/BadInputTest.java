package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;

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
                Arguments.of("members of an unknown list", "/api/v1/lists/777777/members", "{\"contactIds\":[1]}", 404, "id"),
                Arguments.of("NUL in a name", "/api/v1/contacts",
                        "{\"email\":\"nul@example.cz\",\"lastName\":\"No\\u0000vak\"}", 400, "lastName"),
                Arguments.of("other control character in a subject", "/api/v1/bulk-actions",
                        "{\"name\":\"n\",\"from\":\"a@example.cz\",\"subject\":\"Hi\\u001b[31m\",\"textBody\":\"b\"}", 400, "subject"),
                Arguments.of("header injection in a reply-to", "/api/v1/bulk-actions",
                        "{\"name\":\"n\",\"from\":\"a@example.cz\",\"replyTo\":\"r@example.cz\\nBcc: x@example.cz\",\"subject\":\"Hi\",\"textBody\":\"b\"}", 400, "replyTo"),
                Arguments.of("address over 254 characters", "/api/v1/contacts",
                        "{\"email\":\"a@" + "d".repeat(60) + "." + "e".repeat(60) + "." + "f".repeat(60) + "." + "g".repeat(60) + "." + "h".repeat(60) + ".cz\"}", 400, "email"),
                Arguments.of("local part over 64 characters", "/api/v1/contacts",
                        "{\"email\":\"" + "l".repeat(65) + "@example.cz\"}", 400, "email"),
                Arguments.of("unicode local part", "/api/v1/contacts", "{\"email\":\"jána@example.cz\"}", 400, "email"),
                Arguments.of("SQL in an address", "/api/v1/contacts",
                        "{\"email\":\"x'); DROP TABLE contact;--@example.cz\"}", 400, "email"),
                Arguments.of("wrong type for an ID", "/api/v1/launches", "{\"bulkActionId\":\"abc\",\"listIds\":[1]}", 400, "bulkActionId"),
                Arguments.of("number where a list is expected", "/api/v1/launches", "{\"bulkActionId\":1,\"listIds\":7}", 400, "listIds"),
                Arguments.of("launch of an unknown bulk action", "/api/v1/launches", "{\"bulkActionId\":777777,\"listIds\":[1]}", 404, "bulkActionId"),
                Arguments.of("mail task on an unknown activity", "/api/v1/activities/777777/mail-tasks",
                        "{\"task\":\"orsoft.o.crm.Ohakt.posliMailKontaktu\"}", 404, "id"),
                Arguments.of("wrong OMAILUL value", "PUT /api/v1/codebooks/OMAILUL/entries/orsoft.o.crm.Ohakt.posliMailKontaktu",
                        "{\"value\":\"2\"}", 400, "value"),
                Arguments.of("JSON body over 10 MB", "/api/v1/contacts/bulk",
                        "{\"contacts\":[" + "{\"email\":\"big@example.cz\",\"note\":\"" + "x".repeat(10_500_000) + "\"}]}", 413, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void is_refused_with_a_problem_naming_the_field(String what, String path, String json, int status, String field) throws Exception {
        Map<String, Object> before = Tables.fingerprint();

        var request = given().contentType(ContentType.JSON).body(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var response = (path.startsWith("PUT ") ? request.put(path.substring(4)) : request.post(path)).then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status));
        if (field != null) {
            response.body("errors.field", hasItem(field));
        }

        assertThat(Tables.fingerprint()).as("nothing changed").isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void sql_looking_text_where_any_text_is_allowed_is_stored_as_text() throws Exception {
        String name = "Robert'); DROP TABLE contact;--";
        long id = given().contentType(ContentType.JSON).body(java.util.Map.of("email", "bobby@example.cz", "lastName", name))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
        given().get("/api/v1/contacts/{id}", id).then().statusCode(200).body("lastName", equalTo(name));
        given().queryParam("name", "Robert'); DROP").get("/api/v1/contacts").then().statusCode(200);
        assertThat(LaunchApiTest.count("SELECT count(*) FROM contact WHERE id = " + id)).isEqualTo(1);
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

    /**
     * File names of multipart uploads as raw bytes on the wire, however a client spells them: a raw CR, LF or
     * NUL inside the quotes, or an RFC 2231 {@code filename*} that decodes to one. None reaches a 500 or the database.
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {
            "filename=\"a\rb.txt\"",
            "filename=\"a\r\nContent-Type: text/html\"",
            "filename=\"a\nb.txt\"",
            "filename=\"a\u0000b.txt\"",
            "filename*=UTF-8''a%0D%0Ab.txt",
            "filename*=UTF-8''a%00b.txt"})
    void a_multipart_file_name_with_control_characters_is_refused_however_it_is_spelled(String disposition) throws Exception {
        long action = Api.bulkAction("S", "B");
        Map<String, Object> before = Tables.fingerprint();
        String boundary = "----crm" + System.nanoTime();
        byte[] body = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; " + disposition
                + "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            var out = socket.getOutputStream();
            out.write(("POST /api/v1/bulk-actions/" + action + "/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + org.crmbulk.testing.TestTokens.withRoles("raw", org.crmbulk.testing.TestTokens.MANAGER)
                    + "\r\nContent-Type: multipart/form-data; boundary=" + boundary + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            String statusLine = answer.substring(0, answer.indexOf('\r'));
            assertThat(statusLine).as(answer).matches("HTTP/1\\.1 4\\d\\d .*");
            assertThat(answer).contains("application/problem+json");
        }
        assertThat(Tables.fingerprint()).as("nothing changed").isEqualTo(before);
    }

    /**
     * Header values as raw bytes: a NUL or a bare CR inside a header is not HTTP (RFC 9110 5.5), so the HTTP layer
     * refuses it with a bare 400 before the application sees it; never a 500, never a change.
     */
    @ParameterizedTest(name = "Idempotency-Key {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"a\u0000b", "a\rb", "a\u0001b", "a\u007fb"})
    void a_header_with_control_characters_is_refused(String key) throws Exception {
        String body = "{\"bulkActionId\":" + Api.bulkAction("S", "B") + ",\"listIds\":[" + Api.list("H") + "]}";
        Map<String, Object> before = Tables.fingerprint();
        String answer = raw("POST /api/v1/launches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + org.crmbulk.testing.TestTokens.withRoles("raw", org.crmbulk.testing.TestTokens.MANAGER)
                + "\r\nIdempotency-Key: " + key + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);
        assertThat(answer.substring(0, answer.indexOf('\r'))).as(answer).matches("HTTP/1\\.1 4\\d\\d .*");
        assertThat(Tables.fingerprint()).as("nothing changed").isEqualTo(before);
    }

    static String raw(String request) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", io.restassured.RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

}
