package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.crmbulk.api.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ContactImportTest {

    private static final String UTF8_CSV = "text/csv; charset=UTF-8";

    @Test
    void a_csv_with_czech_diacritics_and_semicolons_imports_the_good_rows_and_reports_the_bad_ones() {
        String p = "csv-" + UUID.randomUUID().toString().substring(0, 8);
        String csv = """
                external_id;Email;First Name;Last name;Company;custom.city;opted_out
                %1$s-1;jana@%1$s.cz;Jana;Nováková;"Firma; s.r.o.";Brno;ne
                %1$s-2;not an address;Petr;Dvořák;;;
                %1$s-3;eliska@%1$s.cz;Eliška;Černá;;Ostrava;ano
                %1$s-1;jana2@%1$s.cz;Jana;Dup;;;
                ;bez-id@%1$s.cz;Žofie;Šťastná;;;
                %1$s-6;six@%1$s.cz;too;many;cells;here;no;extra
                """.formatted(p);

        given().contentType(UTF8_CSV).body(csv.getBytes(StandardCharsets.UTF_8)).post("/api/v1/contacts/import")
                .then().statusCode(200)
                .body("created", equalTo(3)).body("updated", equalTo(0)).body("rejected", equalTo(3))
                .body("errors.line", equalTo(List.of(3, 7, 5)))
                .body("errors.field", equalTo(List.of("email", "row", "externalId")))
                .body("errors[0].reason", containsString("not a valid e-mail address"))
                .body("errors[2].reason", containsString("line 2"));

        given().queryParam("externalId", p + "-1").get("/api/v1/contacts").then()
                .body("items[0].lastName", equalTo("Nováková"))
                .body("items[0].company", equalTo("Firma; s.r.o."))
                .body("items[0].customFields.city", equalTo("Brno"))
                .body("items[0].optedOut", equalTo(false));
        given().queryParam("externalId", p + "-3").get("/api/v1/contacts").then()
                .body("items[0].optedOut", equalTo(true)).body("items[0].optOutSource", equalTo("import"));
        given().queryParam("email", "bez-id@" + p + ".cz").get("/api/v1/contacts").then()
                .body("items[0].firstName", equalTo("Žofie"));
    }

    @Test
    void importing_the_same_file_again_updates_instead_of_duplicating_and_fills_the_list() {
        String p = "again-" + UUID.randomUUID().toString().substring(0, 8);
        long list = Api.list("Imported " + p);
        String csv = "externalId,email,firstName\n" + p + "-a,a@" + p + ".cz,A\n" + p + "-b,b@" + p + ".cz,B\n,c@" + p + ".cz,C\n";

        given().contentType(UTF8_CSV).body(csv).queryParam("listId", list).post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(3)).body("updated", equalTo(0));
        given().contentType(UTF8_CSV).body(csv.replace(",A\n", ",Anna\n")).queryParam("listId", list)
                .post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(0)).body("updated", equalTo(3)).body("rejected", equalTo(0));

        given().get("/api/v1/lists/{id}", list).then().body("memberCount", equalTo(3));
        given().queryParam("externalId", p + "-a").get("/api/v1/contacts").then().body("items[0].firstName", equalTo("Anna"));
    }

    @Test
    void a_csv_with_a_bad_header_is_refused_whole_listing_the_expected_columns() {
        given().contentType(UTF8_CSV).body("mail,name\nx@example.cz,X\n").post("/api/v1/contacts/import").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("header"))
                .body("errors[0].reason", containsString("email (required), externalId, firstName"))
                .body("errors[0].reason", containsString("[mail, name]"));
        given().contentType(UTF8_CSV).body("firstName\nX\n").post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].reason", containsString("no email column"));
        given().contentType(UTF8_CSV).body("").post("/api/v1/contacts/import").then().statusCode(400);
    }

    @Test
    void an_unterminated_quote_refuses_the_whole_file_and_imports_nothing() throws Exception {
        String p = "quote-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder csv = new StringBuilder("email,firstName,custom.note\n");
        for (int i = 0; i < 2_100; i++) {
            csv.append(p).append(i).append("@example.cz,N").append(i).append(i == 2_000 ? ",\"never closed\n" : ",ok\n");
        }
        given().contentType(UTF8_CSV).body(csv.toString()).post("/api/v1/contacts/import").then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("body"))
                .body("detail", containsString("nothing was imported"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM contact WHERE email LIKE '" + p + "%'")).isZero();

        given().contentType(UTF8_CSV).body("email,firstName\n\"" + p + "x@example.cz\"oops,X\n").post("/api/v1/contacts/import")
                .then().statusCode(400).body("errors[0].field", equalTo("body"));
    }

    @Test
    void every_row_is_accounted_for_and_held_to_the_json_api_rules() {
        String p = "rules-" + UUID.randomUUID().toString().substring(0, 8);
        String csv = "email,firstName,custom.note\n"
                + p + "1@example.cz,One,\"line one\nline two, with a comma and \"\"quotes\"\"\"\n"
                + p + "2@example.cz,\"Two\nBcc: x@example.cz\",fine\n"
                + p + "3@example.cz," + "x".repeat(201) + ",fine\n"
                + "\n"
                + p + "4@example.cz,Four,\"nul \u0000 here\"\n"
                + p + "5@example.cz,Five,ok\n";

        var result = given().contentType(UTF8_CSV).body(csv).post("/api/v1/contacts/import").then().statusCode(200)
                .body("created", equalTo(2)).body("rejected", equalTo(3))
                .body("errors.line", equalTo(List.of(4, 6, 8)))
                .body("errors.field", equalTo(List.of("firstName", "firstName", "custom.note")))
                .extract().jsonPath();
        assertThat(result.getInt("created") + result.getInt("updated") + result.getInt("rejected")).as("every data row").isEqualTo(5);
        given().queryParam("email", p + "1@example.cz").get("/api/v1/contacts").then()
                .body("items[0].customFields.note", equalTo("line one\nline two, with a comma and \"quotes\""));
    }

    @Test
    void a_windows_1250_or_iso_8859_2_file_imports_with_its_declared_charset() {
        for (String charset : List.of("windows-1250", "ISO-8859-2")) {
            String p = "cs-" + UUID.randomUUID().toString().substring(0, 8);
            byte[] file = ("email;firstName;lastName\r\n" + p + "@example.cz;Žofie;Šťastná-Dvořáková\r\n").getBytes(Charset.forName(charset));
            given().contentType("text/csv; charset=" + charset).body(file).post("/api/v1/contacts/import").then()
                    .statusCode(200).body("created", equalTo(1));
            given().queryParam("email", p + "@example.cz").get("/api/v1/contacts").then()
                    .body("items[0].firstName", equalTo("Žofie")).body("items[0].lastName", equalTo("Šťastná-Dvořáková"));
        }
    }

    @Test
    void a_file_not_in_its_charset_is_refused_and_an_unknown_charset_is_unsupported() {
        byte[] cp1250 = "email,firstName\nx@example.cz,Žofie\n".getBytes(Charset.forName("windows-1250"));
        given().contentType(UTF8_CSV).body(cp1250).post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].reason", containsString("not valid UTF-8"))
                .body("errors[0].reason", containsString("charset=windows-1250"));
        given().contentType("text/csv; charset=KOI8-R").body("email\nx@example.cz\n".getBytes(StandardCharsets.UTF_8))
                .post("/api/v1/contacts/import").then().statusCode(415).body("errors[0].field", equalTo("Content-Type"));
    }

    @Test
    void a_byte_order_mark_says_utf8_whatever_the_content_type_says() {
        String p = "bom-" + UUID.randomUUID().toString().substring(0, 8);
        byte[] text = ("email,firstName\n" + p + "@example.cz,Řehoř\n").getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[text.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(text, 0, withBom, 3, text.length);
        given().contentType("text/csv; charset=windows-1250").body(withBom).post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(1));
        given().queryParam("email", p + "@example.cz").get("/api/v1/contacts").then().body("items[0].firstName", equalTo("Řehoř"));
    }

    @Test
    void unknown_columns_are_refused_by_default_left_out_or_kept_as_custom_fields_on_request() {
        String p = "cols-" + UUID.randomUUID().toString().substring(0, 8);
        String csv = "email,firstName,Segment\n" + p + "@example.cz,Jana,VIP\n";
        given().contentType(UTF8_CSV).body(csv).post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].reason", containsString("[Segment]"));
        given().contentType(UTF8_CSV).body(csv).queryParam("unknownColumns", "ignore").post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(1));
        given().queryParam("email", p + "@example.cz").get("/api/v1/contacts").then().body("items[0].customFields", equalTo(Map.of()));
        given().contentType(UTF8_CSV).body(csv).queryParam("unknownColumns", "custom").post("/api/v1/contacts/import").then()
                .statusCode(200).body("updated", equalTo(1));
        given().queryParam("email", p + "@example.cz").get("/api/v1/contacts").then().body("items[0].customFields.Segment", equalTo("VIP"));
        given().contentType(UTF8_CSV).body(csv).queryParam("unknownColumns", "maybe").post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].field", equalTo("unknownColumns"));
    }

    @Test
    void an_opted_out_contact_is_re_subscribed_only_by_an_explicit_recorded_re_consent() {
        String p = "consent-" + UUID.randomUUID().toString().substring(0, 8);
        String email = p + "@example.cz";
        given().contentType(UTF8_CSV).body("externalId,email,optedOut\n" + p + "," + email + ",true\n").post("/api/v1/contacts/import")
                .then().statusCode(200).body("created", equalTo(1));
        long id = given().queryParam("email", email).get("/api/v1/contacts").then().extract().jsonPath().getLong("items[0].id");

        given().contentType(UTF8_CSV).body("externalId,email,optedOut\n" + p + "," + email + ",false\n").post("/api/v1/contacts/import")
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body(List.of(Map.of("externalId", p, "email", email, "optedOut", false)))
                .post("/api/v1/contacts/bulk").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("externalId", p, "email", email, "firstName", "Jana"))
                .put("/api/v1/contacts/{id}", id).then().statusCode(200).body("optedOut", equalTo(true));

        given().contentType(ContentType.JSON).body(Map.of("externalId", p, "email", email, "optedOut", false, "optOutSource", "phone call"))
                .put("/api/v1/contacts/{id}", id).then().statusCode(200).body("optedOut", equalTo(false));
        given().get("/api/v1/contacts/{id}/consent-events", id).then().statusCode(200)
                .body("action", equalTo(List.of("OPT_OUT", "RE_CONSENT")))
                .body("source", equalTo(List.of("import", "phone call")))
                .body("actor", equalTo(List.of(Api.TESTER, Api.TESTER)));
    }

    @Test
    void importing_into_an_unknown_list_is_a_404() {
        given().contentType(UTF8_CSV).body("email\nx@example.cz\n").queryParam("listId", 88_888_888)
                .post("/api/v1/contacts/import").then().statusCode(404).body("errors[0].field", equalTo("listId"));
    }
}
