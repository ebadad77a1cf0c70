package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.crmbulk.testing.TestTokens;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Activities and codebooks over HTTP (sending is the worker's, tested in system-tests). */
@QuarkusTest
class ActivityApiTest {

    @Test
    void an_activity_is_created_read_replaced_listed_and_deleted() {
        long contact = Api.contact("act@example.cz", "Act");
        long id = given().contentType(ContentType.JSON).body(Map.of("type", "CALL", "subject", "Call back", "contactId", contact,
                "cc", List.of(Map.of("email", "boss@example.cz", "name", "Boss"))))
                .post("/api/v1/activities").then().statusCode(201).body("status", equalTo("PLANNED"))
                .body("cc[0].name", equalTo("Boss")).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("type", "CALL", "subject", "Called", "status", "DONE", "contactId", contact))
                .put("/api/v1/activities/{id}", id).then().statusCode(200).body("status", equalTo("DONE")).body("cc.size()", equalTo(0));
        given().queryParam("contactId", contact).get("/api/v1/activities").then().statusCode(200)
                .body("items.id", equalTo(List.of((int) id)));
        given().delete("/api/v1/activities/{id}", id).then().statusCode(204);
        given().get("/api/v1/activities/{id}", id).then().statusCode(404);
    }

    @Test
    void bad_activities_and_unknown_tasks_are_refused() {
        given().contentType(ContentType.JSON).body(Map.of("type", "PARTY")).post("/api/v1/activities").then().statusCode(400)
                .body("errors[0].field", equalTo("type"));
        given().contentType(ContentType.JSON).body(Map.of("type", "NOTE", "participants", List.of(Map.of("email", "a@example.cz", "userId", 1))))
                .post("/api/v1/activities").then().statusCode(400).body("errors[0].field", equalTo("participants[0]"));
        given().contentType(ContentType.JSON).body(Map.of("type", "NOTE", "contactId", 12_121_212)).post("/api/v1/activities")
                .then().statusCode(404).body("errors[0].field", equalTo("contactId"));
        given().contentType(ContentType.JSON).body(Map.of("type", "NOTE", "subject", "Hi\r\nBcc: x@example.cz")).post("/api/v1/activities")
                .then().statusCode(400).body("errors[0].field", equalTo("subject"));

        long id = given().contentType(ContentType.JSON).body(Map.of("type", "NOTE", "subject", "S")).post("/api/v1/activities")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(Map.of("task", "orsoft.o.crm.Ohakt.posliMailNikomu"))
                .post("/api/v1/activities/{id}/mail-tasks", id).then().statusCode(400)
                .body("errors[0].field", equalTo("task")).body("errors[0].reason", containsString("posliMailKontaktu"));
        given().contentType(ContentType.JSON).body(Map.of("task", "contact")).post("/api/v1/activities/{id}/mail-tasks", id)
                .then().statusCode(400).body("errors[0].reason", containsString("no deliverable recipient"));
    }

    @Test
    void a_mail_task_queues_each_address_once_in_the_activity_order_with_its_name_and_kind() {
        Api.as("admin", TestTokens.CODEBOOK_ADMIN).contentType(ContentType.JSON).body(Map.of("value", " "))
                .put("/api/v1/codebooks/OMAILUL/entries/orsoft.o.crm.Ohakt.posliMailUcastnikum").then().statusCode(oneOf(200, 201));
        long contact = Api.contact("order-p1@example.cz", "Pavel");
        long id = given().contentType(ContentType.JSON).body(Map.of("type", "MEETING", "subject", "Porada",
                "participants", List.of(Map.of("contactId", contact), Map.of("email", "order-p2@example.cz", "name", "Petra Malá"),
                        Map.of("email", "ORDER-P1@example.cz"), Map.of("email", "order-p3@example.cz")),
                "cc", List.of(Map.of("email", "order-c1@example.cz"))))
                .post("/api/v1/activities").then().statusCode(201).extract().jsonPath().getLong("id");

        given().contentType(ContentType.JSON).body(Map.of("task", "participants")).post("/api/v1/activities/{id}/mail-tasks", id)
                .then().statusCode(202).body("mode", equalTo("INDIVIDUAL")).body("status", equalTo("QUEUED"))
                .body("recipients.email", equalTo(List.of("order-p1@example.cz", "order-p2@example.cz", "order-p3@example.cz")))
                .body("recipients.name", equalTo(java.util.Arrays.asList("Pavel", "Petra Malá", null)))
                .body("recipients.kind", equalTo(List.of("TO", "TO", "TO")))
                .body("recipients.status", equalTo(List.of("PENDING", "PENDING", "PENDING")));
        given().contentType(ContentType.JSON).body(Map.of("task", "cc")).post("/api/v1/activities/{id}/mail-tasks", id)
                .then().statusCode(202).body("recipients.email", equalTo(List.of("order-c1@example.cz")))
                .body("recipients.kind", equalTo(List.of("CC")));
    }

    @Test
    void codebook_entries_are_written_audited_and_omailul_is_checked() throws Exception {
        Api.as("admin", TestTokens.CODEBOOK_ADMIN).contentType(ContentType.JSON).body(Map.of("value", "Praha"))
                .put("/api/v1/codebooks/CITY/entries/PRG").then().statusCode(201).body("value", equalTo("Praha"));
        Api.as("admin2", TestTokens.CODEBOOK_ADMIN).contentType(ContentType.JSON).body(Map.of("value", "Hlavní město Praha"))
                .put("/api/v1/codebooks/CITY/entries/PRG").then().statusCode(200);
        given().get("/api/v1/codebooks/CITY/audit").then().statusCode(200)
                .body("newValue", equalTo(List.of("Hlavní město Praha", "Praha")))
                .body("oldValue[0]", equalTo("Praha")).body("changedBy[0]", equalTo("admin2"));
        given().get("/api/v1/codebooks").then().body("codebook", org.hamcrest.Matchers.hasItem("CITY"));
        given().delete("/api/v1/codebooks/CITY/entries/PRG").then().statusCode(204);
        given().get("/api/v1/codebooks/CITY/entries/PRG").then().statusCode(404);

        long before = LaunchApiTest.count("SELECT count(*) FROM codebook_audit");
        given().contentType(ContentType.JSON).body(Map.of("value", "maybe")).put("/api/v1/codebooks/OMAILUL/entries/orsoft.o.crm.Ohakt.posliMailKontaktu")
                .then().statusCode(400).body("errors[0].field", equalTo("value"));
        given().contentType(ContentType.JSON).body(Map.of("value", "0")).put("/api/v1/codebooks/OMAILUL/entries/anything")
                .then().statusCode(400).body("errors[0].field", equalTo("key"));
        given().contentType(ContentType.JSON).body(Map.of("value", "0")).put("/api/v1/codebooks/bad name!/entries/x")
                .then().statusCode(400).body("errors[0].field", equalTo("codebook"));
        assertThat(LaunchApiTest.count("SELECT count(*) FROM codebook_audit")).isEqualTo(before);
    }

    @Test
    void codebook_changes_are_published_on_a_compacted_topic_with_a_tombstone_for_a_deletion() throws Exception {
        given().contentType(ContentType.JSON).body(Map.of("value", "Brno")).put("/api/v1/codebooks/TOWN/entries/BRQ").then().statusCode(201);
        given().delete("/api/v1/codebooks/TOWN/entries/BRQ").then().statusCode(204);

        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", System.getProperty(org.crmbulk.testing.CrmStackResource.KAFKA));
        p.put("group.id", "codebook-test-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> seen = new java.util.ArrayList<>();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of("crm.codebooks"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (seen.stream().noneMatch(r -> r.key().equals("TOWN/BRQ") && r.value() == null) && System.currentTimeMillis() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(500)).forEach(seen::add);
            }
        }
        assertThat(seen).filteredOn(r -> r.key().equals("TOWN/BRQ")).extracting(r -> r.value() == null ? "tombstone" : "value")
                .containsExactly("value", "tombstone");
        assertThat(seen).filteredOn(r -> r.key().equals("TOWN/BRQ") && r.value() != null).first()
                .satisfies(r -> assertThat(r.value()).contains("\"value\":\"Brno\""));
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers",
                System.getProperty(org.crmbulk.testing.CrmStackResource.KAFKA)))) {
            var resource = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "crm.codebooks");
            assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }
    }
}
