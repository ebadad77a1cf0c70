package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crmbulk.testing.CrmStackResource;
import org.crmbulk.testing.TopicReader;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Every state change goes out once as a CloudEvent on the events topic, in the order it happened per key, read back by
 * the CloudEvents SDK's own parser: a launch accepted, paused, resumed and cancelled; an address suppressed; a codebook entry.
 */
@QuarkusTest
class EventsApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<CloudEvent> events(String key, int atLeast) {
        List<ConsumerRecord<String, String>> records = TopicReader.read(System.getProperty(CrmStackResource.KAFKA), "crm.events", key,
                found -> found.size() >= atLeast, Duration.ofSeconds(20));
        records.forEach(r -> assertThat(new String(r.headers().lastHeader("content-type").value(), StandardCharsets.US_ASCII))
                .isEqualTo("application/cloudevents+json"));
        return records.stream().map(r -> EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
                .deserialize(r.value().getBytes(StandardCharsets.UTF_8))).toList();
    }

    private static JsonNode data(CloudEvent e) throws Exception {
        return JSON.readTree(e.getData().toBytes());
    }

    @Test
    void a_launchs_status_changes_are_published_in_order_with_its_counters_and_no_personal_data() throws Exception {
        long list = Api.list("Events", Api.contact("events-person@example.cz", "Eva"));
        long id = Api.given().contentType(ContentType.JSON).body(Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(list),
                "scheduledAt", "2099-01-01T00:00:00Z")).post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
        Api.given().post("/api/v1/launches/{id}/pause", id).then().statusCode(200);
        Api.given().post("/api/v1/launches/{id}/resume", id).then().statusCode(200);
        Api.given().post("/api/v1/launches/{id}/cancel", id).then().statusCode(200);

        List<CloudEvent> events = events("launch-" + id, 4);

        assertThat(events).hasSize(4).allSatisfy(e -> {
            assertThat(e.getSpecVersion().toString()).isEqualTo("1.0");
            assertThat(e.getType()).isEqualTo("org.crmbulk.launch.status-changed.v1");
            assertThat(e.getSubject()).isEqualTo("launch/" + id);
            assertThat(e.getSource().toString()).isEqualTo("/crm-bulk-activities");
            assertThat(e.getDataContentType()).isEqualTo("application/json");
            assertThat(e.getTime()).isNotNull();
            assertThat(new String(e.getData().toBytes(), StandardCharsets.UTF_8)).doesNotContain("events-person");
        });
        assertThat(events.stream().map(CloudEvent::getId).collect(Collectors.toSet())).as("each its own ID").hasSize(4);
        List<String> statuses = events.stream().map(e -> {
            try {
                return data(e).path("previousStatus").asText("none") + "->" + data(e).path("status").asText();
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        }).toList();
        assertThat(statuses).containsExactly("none->SCHEDULED", "SCHEDULED->PAUSED", "PAUSED->SCHEDULED", "SCHEDULED->CANCELLED");
        JsonNode last = data(events.get(3));
        assertThat(last.path("launchId").asLong()).isEqualTo(id);
        assertThat(last.path("counters").path("total").isInt()).isTrue();
        assertThat(last.path("changedBy").asText()).isEqualTo(Api.TESTER);
    }

    @Test
    void each_deliverys_outcome_is_an_event_under_its_launchs_key_unless_switched_off() throws Exception {
        long list = Api.list("Outcomes", Api.contact("outcome-a@example.cz", "A"));
        long launch = Api.given().contentType(ContentType.JSON).body(Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
        try (java.sql.Connection c = LaunchApiTest.db(); java.sql.Statement s = c.createStatement()) {
            // What the worker's record does: one delivery sent, one failed, one retried (no event), as a claim ends.
            s.execute("INSERT INTO delivery (launch_id, email, status) VALUES (" + launch + ", 'o1@example.cz', 'SENDING'), (" + launch
                    + ", 'o2@example.cz', 'SENDING'), (" + launch + ", 'o3@example.cz', 'SENDING')");
            s.execute("UPDATE delivery SET status = CASE email WHEN 'o1@example.cz' THEN 'SENT' WHEN 'o2@example.cz' THEN 'FAILED' ELSE 'PENDING' END "
                    + "WHERE launch_id = " + launch);
            s.execute("UPDATE event_setting SET enabled = false WHERE name = 'delivery-outcomes'");
            try {
                s.execute("UPDATE delivery SET status = 'SENT' WHERE launch_id = " + launch + " AND email = 'o3@example.cz'");
            } finally {
                s.execute("UPDATE event_setting SET enabled = true WHERE name = 'delivery-outcomes'");
            }
        }

        List<CloudEvent> events = events("launch-" + launch, 3);
        Thread.sleep(1_500); // the relay publishes every second: anything more would be there by now
        events = events("launch-" + launch, 3);

        assertThat(events).extracting(CloudEvent::getType).containsExactly("org.crmbulk.launch.status-changed.v1",
                "org.crmbulk.delivery.sent.v1", "org.crmbulk.delivery.failed.v1");
        assertThat(data(events.get(1)).path("launchId").asLong()).isEqualTo(launch);
        assertThat(data(events.get(1)).path("status").asText()).isEqualTo("SENT");
        assertThat(new String(events.get(1).getData().toBytes(), StandardCharsets.UTF_8)).doesNotContain("o1@");
    }

    @jakarta.inject.Inject
    org.crmbulk.api.outbox.EventSettings settings;

    @Test
    void the_event_log_keeps_events_as_long_as_the_topic_does_but_never_one_still_waiting_to_be_published() throws Exception {
        try (java.sql.Connection c = LaunchApiTest.db(); java.sql.Statement s = c.createStatement()) {
            s.execute("INSERT INTO event (type, subject, data, created_at) VALUES ('org.crmbulk.test.v1', 'old/1', '{}', now() - interval '8 days'), "
                    + "('org.crmbulk.test.v1', 'old/2', '{}', now() - interval '8 days'), ('org.crmbulk.test.v1', 'new/1', '{}', now())");
            // old/2 still waits in the outbox, its row held as a relay that cannot reach Kafka holds it: it stays until published.
            s.execute("INSERT INTO outbox (topic, message_key, event_id) SELECT '@events', 'held', id FROM event WHERE subject = 'old/2'");
            c.setAutoCommit(false);
            s.execute("SELECT 1 FROM outbox WHERE message_key = 'held' FOR UPDATE");
            try {
                settings.removeExpired();
                try (java.sql.ResultSet r = s.executeQuery("SELECT string_agg(subject, ',' ORDER BY subject) FROM event WHERE type = 'org.crmbulk.test.v1'")) {
                    r.next();
                    assertThat(r.getString(1)).isEqualTo("new/1,old/2");
                }
            } finally {
                s.execute("DELETE FROM outbox WHERE message_key = 'held'");
                s.execute("DELETE FROM event WHERE type = 'org.crmbulk.test.v1'");
                c.commit();
            }
        }
    }

    @Test
    void a_suppression_and_a_codebook_change_are_published_keyed_by_their_subject() throws Exception {
        long contact = Api.contact("suppress-me@example.cz", "Sue");
        Api.given().contentType(ContentType.JSON).body(Map.of("email", "suppress-me@example.cz")).post("/api/v1/suppressions").then()
                .statusCode(201);
        Api.given().contentType(ContentType.JSON).body(Map.of("value", "ev")).put("/api/v1/codebooks/{c}/entries/{k}", "EVTEST", "K1")
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));

        List<CloudEvent> consent = events("contact-" + contact, 1);
        assertThat(consent).extracting(CloudEvent::getType).contains("org.crmbulk.address.suppressed.v1");
        CloudEvent suppressed = consent.stream().filter(e -> e.getType().equals("org.crmbulk.address.suppressed.v1")).findFirst().orElseThrow();
        assertThat(data(suppressed).path("contactId").asLong()).isEqualTo(contact);
        assertThat(data(suppressed).path("reason").asText()).isEqualTo("MANUAL");
        assertThat(new String(suppressed.getData().toBytes(), StandardCharsets.UTF_8)).doesNotContain("suppress-me");

        List<CloudEvent> codebook = events("codebook-EVTEST", 1);
        assertThat(codebook).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("org.crmbulk.codebook.changed.v1");
            assertThat(data(e).path("key").asText()).isEqualTo("K1");
            assertThat(data(e).path("value").asText()).isEqualTo("ev");
        });
        assertThat(Set.of(consent.get(0).getId(), codebook.get(0).getId())).hasSize(2);
    }
}
