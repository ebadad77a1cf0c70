package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class ListApiTest {

    @Test
    void a_list_is_renamed_described_listed_with_its_member_count_and_deleted() {
        long a = Api.contact("l1@example.cz", "L1");
        long list = Api.list("Spring", a);

        given().contentType(ContentType.JSON).body(Map.of("name", "Spring 2027")).patch("/api/v1/lists/{id}", list)
                .then().statusCode(200).body("name", equalTo("Spring 2027")).body("memberCount", equalTo(1));
        given().contentType(ContentType.JSON).body(Map.of("description", "VIP only")).patch("/api/v1/lists/{id}", list)
                .then().statusCode(200).body("name", equalTo("Spring 2027")).body("description", equalTo("VIP only"));
        given().queryParam("limit", 1000).get("/api/v1/lists").then().statusCode(200).body("items.id", hasItem((int) list));

        given().delete("/api/v1/lists/{id}", list).then().statusCode(204);
        given().get("/api/v1/lists/{id}", list).then().statusCode(404);
        given().contentType(ContentType.JSON).body(Map.of("name", "x")).patch("/api/v1/lists/{id}", list).then().statusCode(404);
    }

    @Test
    void members_are_added_and_removed_idempotently_by_contact_or_external_ids() {
        String p = "M-" + UUID.randomUUID().toString().substring(0, 8);
        long a = Api.contact("m-a@example.cz", "A");
        given().contentType(ContentType.JSON).body(Map.of("email", "m-b@example.cz", "externalId", p + "-b"))
                .post("/api/v1/contacts").then().statusCode(201);
        long list = Api.list("Members");

        given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(a, a))).post("/api/v1/lists/{id}/members", list)
                .then().statusCode(200).body("changed", equalTo(1)).body("memberCount", equalTo(1));
        given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(a))).post("/api/v1/lists/{id}/members", list)
                .then().statusCode(200).body("changed", equalTo(0)).body("memberCount", equalTo(1));
        given().contentType(ContentType.JSON).body(Map.of("externalIds", List.of(p + "-b"))).post("/api/v1/lists/{id}/members", list)
                .then().statusCode(200).body("changed", equalTo(1)).body("memberCount", equalTo(2));

        given().get("/api/v1/lists/{id}/members", list).then().statusCode(200)
                .body("items.email", equalTo(List.of("m-a@example.cz", "m-b@example.cz")));

        given().contentType(ContentType.JSON).body(Map.of("externalIds", List.of(p + "-b"))).post("/api/v1/lists/{id}/members/remove", list)
                .then().statusCode(200).body("changed", equalTo(1)).body("memberCount", equalTo(1));
        given().contentType(ContentType.JSON).body(Map.of("externalIds", List.of(p + "-b"))).post("/api/v1/lists/{id}/members/remove", list)
                .then().statusCode(200).body("changed", equalTo(0)).body("memberCount", equalTo(1));
    }

    @Test
    void unknown_contacts_refuse_the_whole_request_and_change_nothing() {
        long a = Api.contact("u-a@example.cz", "A");
        long list = Api.list("Strict");

        given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(a, 987_654_321L)))
                .post("/api/v1/lists/{id}/members", list).then().statusCode(404)
                .body("errors[0].field", equalTo("contactIds"));
        given().contentType(ContentType.JSON).body(Map.of("externalIds", List.of("no-such-ext")))
                .post("/api/v1/lists/{id}/members", list).then().statusCode(404)
                .body("errors[0].field", equalTo("externalIds"));
        given().contentType(ContentType.JSON).body(Map.of("contactIds", List.of(), "externalIds", List.of()))
                .post("/api/v1/lists/{id}/members", list).then().statusCode(400);

        given().get("/api/v1/lists/{id}", list).then().body("memberCount", equalTo(0));
    }

    @Test
    void a_list_is_copied_and_members_of_one_list_but_not_another_are_listed() {
        long a = Api.contact("c-a@example.cz", "A");
        long b = Api.contact("c-b@example.cz", "B");
        long c = Api.contact("c-c@example.cz", "C");
        long all = Api.list("All", a, b, c);
        long some = Api.list("Some", b);

        long copy = given().contentType(ContentType.JSON).body(Map.of("name", "All (copy)"))
                .post("/api/v1/lists/{id}/copy", all).then().statusCode(201)
                .body("memberCount", equalTo(3)).extract().jsonPath().getLong("id");
        assertThat(copy).isNotEqualTo(all);

        given().queryParam("notIn", some).get("/api/v1/lists/{id}/members", copy).then().statusCode(200)
                .body("items.contactId", equalTo(List.of((int) a, (int) c)));
        given().queryParam("notIn", 77_777_777).get("/api/v1/lists/{id}/members", copy).then().statusCode(404)
                .body("errors[0].field", equalTo("notIn"));
    }

    @Test
    void members_page_by_keyset() {
        Long[] ids = new Long[5];
        for (int i = 0; i < 5; i++) {
            ids[i] = Api.contact("k" + i + "@example.cz", "K" + i);
        }
        long list = Api.list("Paged", ids);
        var first = given().queryParam("limit", 2).get("/api/v1/lists/{id}/members", list).then().extract().jsonPath();
        var second = given().queryParam("limit", 2).queryParam("after", first.getLong("nextAfter"))
                .get("/api/v1/lists/{id}/members", list).then().extract().jsonPath();
        assertThat(second.getList("items.contactId", Long.class)).containsExactly(ids[2], ids[3]);
    }

    @Test
    void a_list_under_a_running_launch_cannot_be_deleted_and_a_finished_launch_keeps_it_in_its_history() throws Exception {
        long list = Api.list("Busy", Api.contact("busy@example.cz", "B"));
        long launch = given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");

        given().delete("/api/v1/lists/{id}", list).then().statusCode(409).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("launch " + launch));

        try (var c = LaunchApiTest.db()) {
            c.createStatement().executeUpdate("UPDATE launch SET status = 'COMPLETED' WHERE id = " + launch);
        }
        given().delete("/api/v1/lists/{id}", list).then().statusCode(204);
        given().get("/api/v1/launches/{id}", launch).then().statusCode(200)
                .body("listIds", equalTo(List.of((int) list))).body("lists[0].id", equalTo((int) list))
                .body("lists[0].name", equalTo("Busy"));
    }
}
