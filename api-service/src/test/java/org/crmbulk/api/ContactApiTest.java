package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class ContactApiTest {

    @Test
    void a_contact_is_created_read_updated_and_deleted() {
        String ext = "ERP-" + UUID.randomUUID();
        long id = given().contentType(ContentType.JSON)
                .body(Map.of("externalId", ext, "email", "Eliska.Cerna@Example.cz", "firstName", "Eliška",
                        "lastName", "Černá", "company", "Acme", "language", "cs", "customFields", Map.of("city", "Brno")))
                .post("/api/v1/contacts").then().statusCode(201)
                .body("email", equalTo("Eliska.Cerna@Example.cz"))
                .extract().jsonPath().getLong("id");

        given().get("/api/v1/contacts/{id}", id).then().statusCode(200)
                .body("lastName", equalTo("Černá")).body("customFields.city", equalTo("Brno")).body("optedOut", equalTo(false));

        given().contentType(ContentType.JSON)
                .body(Map.of("externalId", ext, "email", "eliska@example.cz", "firstName", "Eliška", "optedOut", true,
                        "optOutSource", "unsubscribe-link"))
                .put("/api/v1/contacts/{id}", id).then().statusCode(200)
                .body("email", equalTo("eliska@example.cz")).body("optedOut", equalTo(true))
                .body("optedOutAt", notNullValue()).body("optOutSource", equalTo("unsubscribe-link"))
                .body("company", nullValue());

        given().delete("/api/v1/contacts/{id}", id).then().statusCode(204);
        given().get("/api/v1/contacts/{id}", id).then().statusCode(404).contentType("application/problem+json");
        given().delete("/api/v1/contacts/{id}", id).then().statusCode(404);
    }

    @Test
    void updating_an_unknown_contact_is_a_404_and_taking_another_ones_external_id_a_409() {
        given().contentType(ContentType.JSON).body(Map.of("email", "x@example.cz"))
                .put("/api/v1/contacts/{id}", 99_999_999).then().statusCode(404);
        String ext = "TAKEN-" + UUID.randomUUID();
        Api.post("/api/v1/contacts", "{\"email\":\"t1@example.cz\",\"externalId\":\"" + ext + "\"}").statusCode(201);
        long other = Api.contact("t2@example.cz", "T2");
        given().contentType(ContentType.JSON).body(Map.of("email", "t2@example.cz", "externalId", ext))
                .put("/api/v1/contacts/{id}", other).then().statusCode(409).body("errors[0].field", equalTo("externalId"));
    }

    @Test
    void contacts_are_searched_by_email_name_company_external_id_and_opt_out_with_keyset_pages() {
        String company = "Searchco-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("email", "s" + i + "@" + company.toLowerCase() + ".cz", "firstName", "Jiří", "lastName", "Novák" + i,
                            "company", company, "externalId", company + "-" + i, "optedOut", i == 4))
                    .post("/api/v1/contacts").then().statusCode(201);
        }

        JsonPath page1 = given().queryParam("company", company.substring(0, 12).toUpperCase()).queryParam("limit", 2)
                .get("/api/v1/contacts").then().statusCode(200).extract().jsonPath();
        assertThat(page1.getList("items")).hasSize(2);
        JsonPath page2 = given().queryParam("company", company).queryParam("limit", 2).queryParam("after", page1.getLong("nextAfter"))
                .get("/api/v1/contacts").then().statusCode(200).extract().jsonPath();
        JsonPath page3 = given().queryParam("company", company).queryParam("limit", 2).queryParam("after", page2.getLong("nextAfter"))
                .get("/api/v1/contacts").then().statusCode(200).extract().jsonPath();
        assertThat(page3.getList("items")).hasSize(1);
        assertThat(page3.getString("nextAfter")).isNull();

        given().queryParam("email", "S3@" + company.toUpperCase() + ".CZ").get("/api/v1/contacts").then()
                .body("items.lastName", equalTo(List.of("Novák3")));
        given().queryParam("company", company).queryParam("name", "novák1").get("/api/v1/contacts").then()
                .body("items.externalId", equalTo(List.of(company + "-1")));
        given().queryParam("externalId", company + "-2").get("/api/v1/contacts").then().body("items.size()", equalTo(1));
        given().queryParam("company", company).queryParam("optedOut", true).get("/api/v1/contacts").then()
                .body("items.externalId", equalTo(List.of(company + "-4")));
        given().queryParam("company", "%").get("/api/v1/contacts").then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void a_bulk_upsert_creates_updates_and_reports_bad_items_without_failing_the_good_ones() {
        String p = "BULK-" + UUID.randomUUID().toString().substring(0, 8);
        String body = """
                [{"externalId":"%1$s-1","email":"b1@example.cz","firstName":"Bob"},
                 {"externalId":"%1$s-2","email":"not-an-address"},
                 {"externalId":"%1$s-3","email":"b3@example.cz"},
                 {"email":"no-external-id@example.cz"}]""".formatted(p);
        given().contentType(ContentType.JSON).body(body).post("/api/v1/contacts/bulk").then().statusCode(200)
                .body("created", equalTo(2)).body("updated", equalTo(0)).body("rejected", equalTo(2))
                .body("errors.line", equalTo(List.of(1, 3)))
                .body("errors[0].field", equalTo("email")).body("errors[1].field", equalTo("externalId"));

        given().contentType(ContentType.JSON).body("[{\"externalId\":\"" + p + "-1\",\"email\":\"b1-new@example.cz\"}]")
                .post("/api/v1/contacts/bulk").then().statusCode(200).body("created", equalTo(0)).body("updated", equalTo(1));
        given().queryParam("externalId", p + "-1").get("/api/v1/contacts").then()
                .body("items[0].email", equalTo("b1-new@example.cz")).body("items[0].firstName", equalTo("Bob"));
    }

    @Test
    void a_json_body_over_the_limit_is_refused_with_413() {
        String huge = "[" + "{\"email\":\"x@example.cz\"},".repeat(450_000) + "{\"email\":\"x@example.cz\"}]";
        given().contentType(ContentType.JSON).body(huge).post("/api/v1/contacts/bulk").then().statusCode(413)
                .contentType("application/problem+json").body("detail", containsString("at most"));
    }
}
