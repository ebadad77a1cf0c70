package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class BulkActionApiTest {

    static String action(String subject, String text, String html) {
        StringBuilder json = new StringBuilder("{\"name\":\"Offer\",\"from\":\"shop@example.cz\",\"replyTo\":\"care@example.cz\",\"subject\":")
                .append(quote(subject));
        if (text != null) {
            json.append(",\"textBody\":").append(quote(text));
        }
        if (html != null) {
            json.append(",\"htmlBody\":").append(quote(html));
        }
        return json.append('}').toString();
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void a_bulk_action_is_created_listed_replaced_and_deleted_while_never_launched() {
        long id = Api.post("/api/v1/bulk-actions", action("Hi {contact.firstName}", "Text", null)).statusCode(201)
                .body("replyTo", equalTo("care@example.cz")).body("activity.create", equalTo(false))
                .extract().jsonPath().getLong("id");
        given().queryParam("limit", 1000).get("/api/v1/bulk-actions").then().statusCode(200).body("items.id", hasItem((int) id));
        given().contentType(ContentType.JSON).body(action("New {contact.lastName}", null, "<p>Hello</p>"))
                .put("/api/v1/bulk-actions/{id}", id).then().statusCode(200)
                .body("subject", equalTo("New {contact.lastName}")).body("textBody", nullValue());
        given().delete("/api/v1/bulk-actions/{id}", id).then().statusCode(204);
        given().get("/api/v1/bulk-actions/{id}", id).then().statusCode(404);
    }

    @Test
    void a_template_with_an_unknown_field_or_bad_syntax_is_unprocessable_with_line_and_column() {
        Api.post("/api/v1/bulk-actions", action("Hi", "Dear {contact.firstName},\n  see {contact.nickname}", null))
                .statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("textBody"))
                .body("errors[0].line", equalTo(2)).body("errors[0].column", equalTo(7))
                .body("errors[0].reason", containsString("unknown field"));
        Api.post("/api/v1/bulk-actions", action("Hi {#if contact.firstName}", "x", null)).statusCode(422)
                .body("errors[0].field", equalTo("subject")).body("errors[0].reason", containsString("syntax error"));
        Api.post("/api/v1/bulk-actions", action("Hi", null, null)).statusCode(400)
                .body("errors[0].field", equalTo("textBody"));
    }

    @Test
    void a_fixed_activity_owner_must_be_an_existing_user() {
        String json = action("Hi", "x", null).replace("}", ",\"activity\":{\"create\":true,\"owner\":\"FIXED\",\"ownerUserId\":424242}}");
        Api.post("/api/v1/bulk-actions", json).statusCode(400).body("errors[0].field", equalTo("activity.ownerUserId"));
        String bad = action("Hi", "x", null).replace("}", ",\"activity\":{\"create\":true,\"owner\":\"BOSS\"}}");
        Api.post("/api/v1/bulk-actions", bad).statusCode(400).body("errors[0].field", equalTo("activity.owner"));
    }

    @Test
    void the_preview_renders_for_a_contact_and_escapes_merged_values_in_html() {
        long contact = given().contentType(ContentType.JSON)
                .body(Map.of("email", "pv@example.cz", "firstName", "<b>Jana</b>", "customFields", Map.of("city", "Brno")))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
        long id = Api.post("/api/v1/bulk-actions", action("Hi {contact.firstName}", null,
                "<p>Dear {contact.firstName} from {contact.custom.city}{contact.lastName}</p>")).statusCode(201)
                .extract().jsonPath().getLong("id");

        given().contentType(ContentType.JSON).body(Map.of("contactId", contact)).post("/api/v1/bulk-actions/{id}/preview", id)
                .then().statusCode(200)
                .body("subject", equalTo("Hi <b>Jana</b>"))
                // As recipients get it: a campaign message's visible opt-out, here with a sample link.
                .body("html", equalTo("<p>Dear &lt;b&gt;Jana&lt;/b&gt; from Brno</p><p style=\"font-size:12px;color:#555555\">"
                        + "No longer want these e-mails? <a href=\"http://localhost:8080/u/preview\">Unsubscribe</a></p>"))
                .body("text", equalTo("Dear <b>Jana</b> from Brno\n\n-- \nNo longer want these e-mails? Unsubscribe: "
                        + "http://localhost:8080/u/preview\n"));
        given().contentType(ContentType.JSON).body(Map.of("contactId", 31_313_131)).post("/api/v1/bulk-actions/{id}/preview", id)
                .then().statusCode(404).body("errors[0].field", equalTo("contactId"));
    }

    @Test
    void attachments_are_stored_once_with_their_digest_and_limited_in_total() throws Exception {
        long id = Api.post("/api/v1/bulk-actions", action("Hi", "x", null)).statusCode(201).extract().jsonPath().getLong("id");
        byte[] pdf = "%PDF-1.4 ceník jaro 2027".getBytes(StandardCharsets.UTF_8);

        long attachment = given().multiPart("file", "cenik.pdf", pdf, "application/pdf")
                .post("/api/v1/bulk-actions/{id}/attachments", id).then().statusCode(201)
                .body("filename", equalTo("cenik.pdf")).body("sizeBytes", equalTo(pdf.length))
                .body("sha256", equalTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf))))
                .extract().jsonPath().getLong("id");
        given().get("/api/v1/bulk-actions/{id}", id).then().body("attachments.filename", equalTo(List.of("cenik.pdf")));

        given().multiPart("file", "big.bin", new byte[100_001], "application/octet-stream")
                .post("/api/v1/bulk-actions/{id}/attachments", id).then().statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("at most 100000 bytes"));

        given().delete("/api/v1/bulk-actions/{id}/attachments/{a}", id, attachment).then().statusCode(204);
        given().delete("/api/v1/bulk-actions/{id}/attachments/{a}", id, attachment).then().statusCode(404);
        given().multiPart("file", "x.bin", new byte[1], "application/octet-stream")
                .post("/api/v1/bulk-actions/{id}/attachments", 97_979_797).then().statusCode(404);
    }

    @Test
    void every_edit_is_a_new_content_version_and_a_launch_keeps_the_one_it_took_with_its_attachment() throws Exception {
        long list = Api.list("Versions", Api.contact("versions@example.cz", "V"));
        long id = Api.post("/api/v1/bulk-actions", action("v1 {contact.firstName}", "Body one", null)).statusCode(201)
                .body("version", equalTo(1)).extract().jsonPath().getLong("id");
        byte[] pdf = "%PDF v1".getBytes(StandardCharsets.UTF_8);
        long attachment = given().multiPart("file", "v1.pdf", pdf, "application/pdf").post("/api/v1/bulk-actions/{id}/attachments", id)
                .then().statusCode(201).extract().jsonPath().getLong("id");
        given().get("/api/v1/bulk-actions/{id}", id).then().body("version", equalTo(2));
        long launch = given().contentType(ContentType.JSON).body(Map.of("bulkActionId", id, "listIds", List.of(list),
                "scheduledAt", java.time.OffsetDateTime.now().plusDays(1).toString()))
                .post("/api/v1/launches").then().statusCode(202).body("contentVersion", equalTo(2)).extract().jsonPath().getLong("id");

        given().contentType(ContentType.JSON).body(action("v2 {contact.lastName}", "Body two", null)).put("/api/v1/bulk-actions/{id}", id)
                .then().statusCode(200).body("version", equalTo(3)).body("subject", equalTo("v2 {contact.lastName}"));
        given().delete("/api/v1/bulk-actions/{id}/attachments/{a}", id, attachment).then().statusCode(204);
        given().get("/api/v1/bulk-actions/{id}", id).then().body("version", equalTo(4)).body("attachments", equalTo(List.of()));

        given().get("/api/v1/launches/{id}", launch).then().body("contentVersion", equalTo(2));
        given().get("/api/v1/launches/{id}/content", launch).then().statusCode(200)
                .body("version", equalTo(2)).body("subject", equalTo("v1 {contact.firstName}")).body("textBody", equalTo("Body one"))
                .body("from", equalTo("shop@example.cz")).body("createdBy", equalTo(Api.TESTER))
                .body("attachments.filename", equalTo(List.of("v1.pdf")))
                .body("attachments[0].sha256", equalTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf))));
        org.assertj.core.api.Assertions.assertThat(LaunchApiTest.count("SELECT count(*) FROM content_blob WHERE sha256 = '"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf)) + "'"))
                .as("the bytes a launch took stay after the action drops the attachment").isEqualTo(1);
        // Versions nothing took are not kept: only the launched one and the current one remain.
        org.assertj.core.api.Assertions.assertThat(LaunchApiTest.count("SELECT count(*) FROM bulk_action_version WHERE bulk_action_id = " + id))
                .isEqualTo(2);
        given().get("/api/v1/launches/{id}/content", 96_969_696).then().statusCode(404);
    }

    @Test
    void a_bulk_action_takes_a_sender_name_and_activity_options_are_held_to_the_activities_rules() {
        String named = action("Hi", "x", null).replace("\"from\":\"shop@example.cz\"", "\"from\":\"shop@example.cz\",\"fromName\":\"Obchod Žluťoučký\"");
        Api.post("/api/v1/bulk-actions", named).statusCode(201).body("fromName", equalTo("Obchod Žluťoučký"));
        String lunch = action("Hi", "x", null).replace("}", ",\"activity\":{\"create\":true,\"type\":\"LUNCH\"}}");
        Api.post("/api/v1/bulk-actions", lunch).statusCode(400).body("errors[0].field", equalTo("activity.type"));

        long launcherOwned = Api.post("/api/v1/bulk-actions", action("Hi", "x", null).replace("}",
                ",\"activity\":{\"create\":true,\"type\":\"EMAIL\",\"owner\":\"LAUNCHER\"}}")).statusCode(201).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("bulkActionId", launcherOwned, "listIds", List.of(Api.list("Owned"))))
                .post("/api/v1/launches").then().statusCode(422).body("errors[0].field", equalTo("launchedByUserId"));
    }

    /** Code in a template is refused when the action is saved, with the place, never at send time. */
    @Test
    void code_in_a_template_is_refused_at_save_with_line_and_column() {
        for (String code : List.of("{#eval contact.custom.tpl}", "{#include foo}", "{config:secret}", "{contact.custom.get(cdi:bean)}",
                "{inject:x}", "{contact.firstName.toUpperCase()}", "{#for i in 1000000}x{/for}")) {
            Api.post("/api/v1/bulk-actions", action("Hi", "Line one\nsee " + code, null)).statusCode(422)
                    .contentType("application/problem+json").body("errors[0].field", equalTo("textBody"))
                    .body("errors[0].line", equalTo(2));
        }
    }

    @Test
    void a_preview_needs_no_body_and_a_part_over_its_limit_is_a_422_not_a_500() {
        long id = Api.post("/api/v1/bulk-actions", action("Hi {contact.firstName}", "Hello {contact.custom.note}", null)).statusCode(201)
                .extract().jsonPath().getLong("id");
        given().post("/api/v1/bulk-actions/{id}/preview", id).then().statusCode(200).body("subject", equalTo("Hi"));
        given().contentType(ContentType.JSON).post("/api/v1/bulk-actions/{id}/preview", id).then().statusCode(200);

        long contact = given().contentType(ContentType.JSON)
                .body(Map.of("email", "huge@example.cz", "customFields", Map.of("note", "x".repeat(1_500_000))))
                .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("contactId", contact)).post("/api/v1/bulk-actions/{id}/preview", id)
                .then().statusCode(422).body("errors[0].field", equalTo("textBody"))
                .body("errors[0].reason", containsString("longer than 1000000 characters"));
    }

    @Test
    void a_launched_bulk_action_cannot_be_deleted() {
        long action = Api.bulkAction("S", "B");
        given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(Api.list("L"))))
                .post("/api/v1/launches").then().statusCode(202);
        given().delete("/api/v1/bulk-actions/{id}", action).then().statusCode(409).contentType("application/problem+json");
    }
}
