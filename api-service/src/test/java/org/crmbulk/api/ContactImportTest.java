package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ContactImportTest {

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

        given().contentType("text/csv").body(csv.getBytes(StandardCharsets.UTF_8)).post("/api/v1/contacts/import")
                .then().statusCode(200)
                .body("created", equalTo(3)).body("updated", equalTo(0)).body("rejected", equalTo(3))
                .body("errors.line", equalTo(List.of(3, 7, 5)))
                .body("errors.field", equalTo(List.of("email", "row", "externalId")))
                .body("errors[0].reason", containsString("not an address"))
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

        given().contentType("text/csv").body(csv).queryParam("listId", list).post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(3)).body("updated", equalTo(0));
        given().contentType("text/csv").body(csv.replace(",A\n", ",Anna\n")).queryParam("listId", list)
                .post("/api/v1/contacts/import").then()
                .statusCode(200).body("created", equalTo(0)).body("updated", equalTo(3)).body("rejected", equalTo(0));

        given().get("/api/v1/lists/{id}", list).then().body("memberCount", equalTo(3));
        given().queryParam("externalId", p + "-a").get("/api/v1/contacts").then().body("items[0].firstName", equalTo("Anna"));
    }

    @Test
    void a_csv_with_a_bad_header_is_refused_whole_listing_the_expected_columns() {
        given().contentType("text/csv").body("mail,name\nx@example.cz,X\n").post("/api/v1/contacts/import").then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("header"))
                .body("errors[0].reason", containsString("email (required), externalId, firstName"));
        given().contentType("text/csv").body("firstName\nX\n").post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].reason", containsString("no email column"));
        given().contentType("text/csv").body("").post("/api/v1/contacts/import").then().statusCode(400);
    }

    @Test
    void a_csv_that_is_not_utf8_is_refused() {
        byte[] latin2 = "email,firstName\nx@example.cz,\u017dofie\n".getBytes(java.nio.charset.Charset.forName("ISO-8859-2"));
        given().contentType("text/csv").body(latin2).post("/api/v1/contacts/import").then()
                .statusCode(400).body("errors[0].reason", containsString("UTF-8"));
    }

    @Test
    void importing_into_an_unknown_list_is_a_404() {
        given().contentType("text/csv").body("email\nx@example.cz\n").queryParam("listId", 88_888_888)
                .post("/api/v1/contacts/import").then().statusCode(404).body("errors[0].field", equalTo("listId"));
    }
}
