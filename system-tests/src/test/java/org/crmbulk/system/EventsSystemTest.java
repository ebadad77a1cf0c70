package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.TopicReader;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.provider.EventFormatProvider;
import io.cloudevents.jackson.JsonFormat;
import io.restassured.path.json.JsonPath;

/**
 * What a consumer of the events topic sees of a real campaign: the launch's status changes and each delivery's outcome
 * in order (the worker's ones included) and a bounce that came back, under the launch's key; the bounced address's suppression under its
 * contact's key. Each is a CloudEvent the SDK parses.
 */
class EventsSystemTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void a_campaign_and_a_bounce_are_published_in_order_per_launch_and_per_contact() throws Exception {
        Stack stack = Stack.shared();
        String p = "ev" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("Events", p + "-", 3);
        String location = SystemApi.startLaunch(SystemApi.textBulkAction("Events", "Hello."), list);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
        long launchId = done.getLong("id");
        JsonPath first = given().queryParam("limit", 1).get(location + "/deliveries").then().statusCode(200).extract().jsonPath();
        String address = first.getString("items[0].email");
        long contactId = first.getLong("items[0].contactId");
        given().contentType("message/rfc822").body(BounceCorpus.fixture("exim.eml", address, "news@example.cz", first.getString("items[0].messageId")))
                .post("/api/v1/inbound-reports").then().statusCode(202);

        List<CloudEvent> launch = read("launch-" + launchId, 7);
        String changed = "org.crmbulk.launch.status-changed.v1";
        String sent = "org.crmbulk.delivery.sent.v1";
        assertThat(launch).extracting(CloudEvent::getType).as("accepted, started, each delivery sent, completed, the bounce")
                .containsExactly(changed, changed, sent, sent, sent, changed, "org.crmbulk.delivery.bounced.v1");
        assertThat(List.of(launch.get(0), launch.get(1), launch.get(5))).extracting(e -> data(e).path("status").asText())
                .containsExactly("QUEUED", "RUNNING", "COMPLETED");
        assertThat(launch.subList(2, 5)).extracting(e -> data(e).path("contactId").asLong()).contains(contactId);
        JsonNode completed = data(launch.get(5));
        assertThat(completed.path("counters").path("sent").asInt()).isEqualTo(3);
        JsonNode bounced = data(launch.get(6));
        assertThat(bounced.path("launchId").asLong()).isEqualTo(launchId);
        assertThat(bounced.path("contactId").asLong()).isEqualTo(contactId);
        assertThat(bounced.path("bounce").asText()).isEqualTo("HARD");
        assertThat(launch).allSatisfy(e -> assertThat(new String(e.getData().toBytes(), StandardCharsets.UTF_8)).doesNotContain(p + "-"));

        List<CloudEvent> contact = read("contact-" + contactId, 1);
        assertThat(contact).extracting(CloudEvent::getType).containsExactly("org.crmbulk.address.suppressed.v1");
        assertThat(data(contact.get(0)).path("reason").asText()).isEqualTo("HARD_BOUNCE");
        assertThat(data(contact.get(0)).path("deliveryId").asLong()).isEqualTo(bounced.path("deliveryId").asLong());
    }

    private static List<CloudEvent> read(String key, int count) throws Exception {
        return TopicReader.read(Stack.shared().kafka.bootstrapServers(), "crm.events", key, found -> found.size() >= count,
                Duration.ofSeconds(30)).stream().map(r -> EventFormatProvider.getInstance().resolveFormat(JsonFormat.CONTENT_TYPE)
                        .deserialize(r.value().getBytes(StandardCharsets.UTF_8))).toList();
    }

    private static JsonNode data(CloudEvent e) {
        try {
            return JSON.readTree(e.getData().toBytes());
        } catch (java.io.IOException x) {
            throw new IllegalStateException(x);
        }
    }
}
