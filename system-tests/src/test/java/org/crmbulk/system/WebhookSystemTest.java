package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.crmbulk.contract.events.EventTypes;
import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.TopicReader;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Webhooks end to end: the packaged services deliver to a real HTTP receiver in another process (Python), which checks
 * every signature with its own HMAC; a worker killed mid-flight loses nothing; a hanging endpoint holds up no other;
 * a private address is refused.
 */
class WebhookSystemTest {

    private static long subscribe(WebhookReceiver receiver, String path, Set<String> types) {
        return given().contentType(ContentType.JSON).body(Map.of("url", receiver.url(path), "eventTypes", types, "secret", receiver.secret))
                .post("/api/v1/webhooks").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static void unsubscribe(long id) {
        given().delete("/api/v1/webhooks/{id}", id).then().statusCode(204);
    }

    /** The event IDs the subscription's log holds, by status. */
    private static Map<String, Set<String>> log(long subscription) throws Exception {
        try (Connection c = Stack.shared().postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT status, 'crm-event-' || event_id FROM webhook_delivery WHERE subscription_id = " + subscription)) {
            Map<String, Set<String>> byStatus = new java.util.HashMap<>();
            while (rs.next()) {
                byStatus.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
            }
            return byStatus;
        }
    }

    private static Set<String> ids(List<JsonNode> received) {
        return received.stream().map(r -> r.path("webhookId").asText()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void a_real_receiver_gets_every_event_of_a_campaign_a_bounce_and_an_unsubscribe_each_signed_as_on_kafka() throws Exception {
        Stack stack = Stack.shared();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            long sub = subscribe(receiver, "/all", EventTypes.ALL);
            try {
                String p = "wh" + UUID.randomUUID().toString().substring(0, 6);
                long list = SystemApi.importedList("Webhooks", p + "-", 5);
                String location = SystemApi.startLaunch(SystemApi.textBulkAction("Webhooks", "Hello."), list);
                long launchId = SystemApi.awaitFinal(location, Duration.ofSeconds(60)).getLong("id");
                JsonPath deliveries = given().queryParam("limit", 10).get(location + "/deliveries").then().statusCode(200).extract().jsonPath();
                // One recipient's message bounces (through the HTTP intake), another recipient leaves through the link.
                given().contentType("message/rfc822").body(BounceCorpus.fixture("exim.eml", deliveries.getString("items[0].email"),
                        "news@example.cz", deliveries.getString("items[0].messageId"))).post("/api/v1/inbound-reports").then().statusCode(202);
                long leaving = deliveries.getLong("items[1].contactId");
                String token = UnsubscribeTokens.parse(stack.unsubscribeKeys).sign(deliveries.getLong("items[1].id"));
                HttpResponse<String> left = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.api.baseUrl() + "/u/" + token))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(left.statusCode()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    List<JsonNode> got = receiver.received("/all");
                    assertThat(got).filteredOn(r -> r.path("event").path("type").asText().equals("org.crmbulk.delivery.sent.v1")
                            && r.path("event").path("data").path("launchId").asLong() == launchId).hasSize(5);
                    assertThat(got).filteredOn(r -> r.path("event").path("subject").asText().equals("launch/" + launchId))
                            .extracting(r -> r.path("event").path("data").path("status").asText()).contains("QUEUED", "RUNNING", "COMPLETED");
                    assertThat(got).anySatisfy(r -> {
                        assertThat(r.path("event").path("type").asText()).isEqualTo("org.crmbulk.delivery.bounced.v1");
                        assertThat(r.path("event").path("data").path("deliveryId").asLong()).isEqualTo(deliveries.getLong("items[0].id"));
                    });
                    assertThat(got).anySatisfy(r -> {
                        assertThat(r.path("event").path("type").asText()).isEqualTo("org.crmbulk.contact.unsubscribed.v1");
                        assertThat(r.path("event").path("data").path("contactId").asLong()).isEqualTo(leaving);
                    });
                });
                List<JsonNode> got = receiver.received("/all");
                assertThat(got).as("Python's hmac verified every signature").allSatisfy(r -> {
                    assertThat(r.path("verified").asBoolean()).isTrue();
                    assertThat(r.path("contentType").asText()).isEqualTo("application/cloudevents+json");
                    assertThat(r.path("webhookId").asText()).isEqualTo(r.path("event").path("id").asText());
                    assertThat(r.path("event").toString()).doesNotContain(p + "-"); // IDs, not addresses
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> log(sub).keySet().equals(Set.of("DELIVERED")));
                assertThat(ids(got)).as("each delivery of the log arrived").isEqualTo(log(sub).get("DELIVERED"));

                // The events topic holds the same events of the launch, in the order they happened.
                List<JsonNode> launchHooks = got.stream().filter(r -> r.path("event").path("data").path("launchId").asLong() == launchId
                        && !r.path("event").path("type").asText().startsWith("org.crmbulk.contact.")
                        && !r.path("event").path("type").asText().startsWith("org.crmbulk.address.")).toList();
                List<String> onKafka = TopicReader.read(stack.kafka.bootstrapServers(), "crm.events", "launch-" + launchId,
                        found -> found.size() >= launchHooks.size(), Duration.ofSeconds(30)).stream()
                        .map(r -> r.value()).map(v -> {
                            try {
                                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(v).path("id").asText();
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }).toList();
                assertThat(new TreeSet<>(onKafka)).isEqualTo(ids(launchHooks));
            } finally {
                unsubscribe(sub);
            }
        }
    }

    @Test
    void a_worker_killed_mid_flight_loses_no_webhook_and_repeats_only_with_the_same_webhook_id() throws Exception {
        Stack stack = Stack.shared();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            long sub = subscribe(receiver, "/slow", Set.of("org.crmbulk.delivery.sent.v1"));
            try {
                long list = SystemApi.importedList("Webhook kill", "whk" + UUID.randomUUID().toString().substring(0, 4) + "-", 40);
                String location = SystemApi.startLaunch(SystemApi.textBulkAction("Kill", "Hello."), list);
                // Each answer takes 0.3 s and four are in flight: the worker dies with requests open and claims leased.
                await().atMost(Duration.ofSeconds(60)).until(() -> receiver.received("/slow").size() >= 6);
                stack.worker.kill();
                stack.worker = stack.startWorker();

                SystemApi.awaitFinal(location, Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).until(() -> log(sub).keySet().equals(Set.of("DELIVERED")) && log(sub).get("DELIVERED").size() == 40);
                List<JsonNode> got = receiver.received("/slow");
                assertThat(ids(got)).as("every event arrived").isEqualTo(log(sub).get("DELIVERED"));
                Map<String, Set<String>> bodies = got.stream().collect(Collectors.groupingBy(r -> r.path("webhookId").asText(),
                        Collectors.mapping(r -> r.path("event").toString(), Collectors.toSet())));
                assertThat(bodies.values()).as("a repeat is the same event under the same webhook-id").allMatch(b -> b.size() == 1);
                int repeats = got.size() - bodies.size();
                assertThat(repeats).as("repeats: at most what the killed worker had claimed").isLessThanOrEqualTo(8);
                assertThat(got).allSatisfy(r -> assertThat(r.path("verified").asBoolean()).isTrue());
                System.out.printf("webhooks: %d events, %d repeated after the SIGKILL%n", bodies.size(), repeats);
            } finally {
                unsubscribe(sub);
            }
        }
    }

    @Test
    void a_hanging_endpoint_does_not_hold_up_another_subscription() throws Exception {
        Stack.shared();
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String type = "org.crmbulk.codebook.changed.v1";
            long hanging = subscribe(receiver, "/hang", Set.of(type));
            long healthy = subscribe(receiver, "/healthy", Set.of(type));
            try {
                String codebook = "ZZ_HOOK" + UUID.randomUUID().toString().substring(0, 4).toUpperCase();
                for (int i = 0; i < 12; i++) {
                    given().contentType(ContentType.JSON).body(Map.of("value", "v" + i)).put("/api/v1/codebooks/{c}/entries/k{i}", codebook, i)
                            .then().statusCode(201);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received("/healthy").size() >= 12);
                assertThat(receiver.received("/hang")).as("the hanging endpoint was being tried meanwhile").isNotEmpty();
                assertThat(log(hanging)).doesNotContainKey("DELIVERED");
                assertThat(log(healthy).get("DELIVERED")).hasSize(12);
                JsonPath page = given().queryParam("limit", 5).get("/api/v1/webhooks/{id}/deliveries", hanging).then().statusCode(200).extract().jsonPath();
                await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/api/v1/webhooks/{id}/deliveries", hanging).then().extract()
                        .jsonPath().getList("items.lastAnswer", String.class).contains("no answer within PT2S"));
                assertThat(page.getList("items.status", String.class)).containsOnly("PENDING");
            } finally {
                unsubscribe(hanging);
                unsubscribe(healthy);
            }
        }
    }

    @Test
    void a_private_or_link_local_target_is_refused_and_nothing_is_saved() throws Exception {
        Stack.shared();
        List<String> refused = new ArrayList<>();
        for (String url : List.of("http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://192.168.1.10/",
                "http://127.0.0.53/hook", "http://[::ffff:172.16.0.1]/")) {
            given().contentType(ContentType.JSON).body(Map.of("url", url, "eventTypes", List.of("org.crmbulk.delivery.sent.v1")))
                    .post("/api/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo("url"));
            refused.add(url);
        }
        List<String> saved = given().queryParam("limit", 1000).get("/api/v1/webhooks").then().statusCode(200).extract().jsonPath()
                .getList("items.url", String.class);
        assertThat(saved).doesNotContainAnyElementsOf(refused);
    }
}
