package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The worker delivers what the event log fans out to webhook subscriptions, over real HTTP: signed, retried with backoff
 * until delivered or dead, a hanging endpoint holding only its own lane, and a target that is not allowed never
 * connected to (test config: 2 s request timeout, 200 ms first retry, 127.0.0.1 allowed).
 */
@QuarkusTest
class WebhookDeliveryTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HttpServer server;
    private static final Map<String, List<Received>> received = new ConcurrentHashMap<>();
    private static final AtomicInteger flakyFailures = new AtomicInteger();

    record Received(String webhookId, long timestamp, String signature, String body, Instant at) {
    }

    @BeforeAll
    static void receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 100);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", WebhookDeliveryTest::handle);
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static void handle(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        String path = x.getRequestURI().getPath();
        received.computeIfAbsent(path, p -> new CopyOnWriteArrayList<>()).add(new Received(x.getRequestHeaders().getFirst("webhook-id"),
                Long.parseLong(x.getRequestHeaders().getFirst("webhook-timestamp")), x.getRequestHeaders().getFirst("webhook-signature"),
                new String(body, StandardCharsets.UTF_8), Instant.now()));
        int status = 200;
        if (path.startsWith("/flaky") && flakyFailures.getAndDecrement() > 0) {
            status = 503;
        } else if (path.startsWith("/broken")) {
            status = 500;
        } else if (path.startsWith("/hang")) {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] answer = ("answer of " + path).getBytes(StandardCharsets.UTF_8);
        x.sendResponseHeaders(status, answer.length);
        x.getResponseBody().write(answer);
        x.close();
    }

    private static String url(String host, String path) {
        return "http://" + host + ":" + server.getAddress().getPort() + path;
    }

    private static long subscription(String url, String type) throws Exception {
        return Fixtures.insert("""
                INSERT INTO webhook_subscription (url, event_types, secret, created_by) VALUES (?, ARRAY[?], ?, 'test') RETURNING id""",
                url, type, SECRET);
    }

    /** An event as a trigger writes it; returns its ID. */
    private static long event(String type) throws Exception {
        Fixtures.rows("SELECT emit_event(?, 'test/1', 'test-1', '{\"launchId\": 1}'::jsonb)", type);
        return ((Number) Fixtures.rows("SELECT max(id) AS id FROM event WHERE type = ?", type).get(0).get("id")).longValue();
    }

    private static List<Map<String, Object>> deliveries(long subscription) throws Exception {
        return Fixtures.rows("SELECT * FROM webhook_delivery WHERE subscription_id = ? ORDER BY id", subscription);
    }

    /** Standard Webhooks' check, written here from the specification (not the code under test). */
    private static void assertSigned(Received r) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(
                mac.doFinal((r.webhookId() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
        assertThat(r.signature()).isEqualTo(expected);
        assertThat(Math.abs(Instant.now().getEpochSecond() - r.timestamp())).isLessThan(60);
    }

    @Test
    void an_event_arrives_once_as_a_signed_cloudevent_and_is_logged_delivered() throws Exception {
        long sub = subscription(url("127.0.0.1", "/ok-one"), "org.crmbulk.codebook.changed.v1");
        long eventId = event("org.crmbulk.codebook.changed.v1");

        await().atMost(Duration.ofSeconds(10)).until(() -> "DELIVERED".equals(deliveries(sub).get(0).get("status")));
        List<Received> got = received.get("/ok-one");
        assertThat(got).hasSize(1);
        Received r = got.get(0);
        assertSigned(r);
        assertThat(r.webhookId()).isEqualTo("crm-event-" + eventId);
        JsonNode cloudEvent = JSON.readTree(r.body());
        assertThat(cloudEvent.path("specversion").asText()).isEqualTo("1.0");
        assertThat(cloudEvent.path("id").asText()).isEqualTo(r.webhookId());
        assertThat(cloudEvent.path("type").asText()).isEqualTo("org.crmbulk.codebook.changed.v1");
        assertThat(cloudEvent.path("data").path("launchId").asLong()).isEqualTo(1);
        Map<String, Object> row = deliveries(sub).get(0);
        assertThat(row.get("attempts")).isEqualTo(1);
        assertThat(row.get("last_status")).isEqualTo(200);
        assertThat(row.get("last_answer")).isEqualTo("answer of /ok-one");
        assertThat(row.get("finished_at")).isNotNull();
    }

    @Test
    void failures_are_retried_with_growing_delays_and_the_same_webhook_id_until_delivered() throws Exception {
        flakyFailures.set(3);
        long sub = subscription(url("127.0.0.1", "/flaky"), "org.crmbulk.contact.erased.v1");
        event("org.crmbulk.contact.erased.v1");

        await().atMost(Duration.ofSeconds(20)).until(() -> "DELIVERED".equals(deliveries(sub).get(0).get("status")));
        List<Received> got = received.get("/flaky");
        assertThat(got).hasSize(4);
        assertThat(got.stream().map(Received::webhookId).distinct()).hasSize(1);
        for (Received r : got) {
            assertSigned(r);
        }
        // Equal jitter: the n-th retry waits at least half of 200 ms * 2^(n-1).
        for (int i = 1; i < got.size(); i++) {
            long waited = Duration.between(got.get(i - 1).at(), got.get(i).at()).toMillis();
            assertThat(waited).as("retry " + i).isGreaterThanOrEqualTo(100L << (i - 1));
        }
        assertThat(deliveries(sub).get(0).get("attempts")).isEqualTo(4);
    }

    @Test
    void a_delivery_past_its_maximum_age_is_dead_with_the_last_answer() throws Exception {
        long eventId = event("org.crmbulk.address.unsuppressed.v1");
        long sub = subscription(url("127.0.0.1", "/broken"), "org.crmbulk.address.unsuppressed.v1");
        Fixtures.update("INSERT INTO webhook_delivery (subscription_id, event_id, created_at) VALUES (?, ?, now() - interval '25 hours')",
                sub, eventId); // an event of yesterday, as if the endpoint had failed all day

        await().atMost(Duration.ofSeconds(10)).until(() -> "DEAD".equals(deliveries(sub).get(0).get("status")));
        Map<String, Object> row = deliveries(sub).get(0);
        assertThat(row.get("last_status")).isEqualTo(500);
        assertThat(row.get("last_answer")).isEqualTo("answer of /broken");
        assertThat(row.get("attempts")).isEqualTo(1);
    }

    @Test
    void a_hanging_endpoint_holds_only_its_own_subscription() throws Exception {
        long hanging = subscription(url("127.0.0.1", "/hang"), "org.crmbulk.contact.resubscribed.v1");
        long healthy = subscription(url("127.0.0.1", "/ok-beside-hang"), "org.crmbulk.contact.resubscribed.v1");
        for (int i = 0; i < 12; i++) {
            event("org.crmbulk.contact.resubscribed.v1");
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> deliveries(healthy).stream().allMatch(d -> "DELIVERED".equals(d.get("status"))));
        assertThat(received.get("/ok-beside-hang")).hasSize(12);
        assertThat(deliveries(hanging)).allMatch(d -> "PENDING".equals(d.get("status")));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(deliveries(hanging))
                .anySatisfy(d -> assertThat((String) d.get("last_answer")).isEqualTo("no answer within PT2S")));
        Fixtures.update("UPDATE webhook_subscription SET active = false WHERE id = ?", hanging);
    }

    /** A row the API would have refused (written straight to the database, or a name that now resolves elsewhere). */
    @Test
    void a_target_outside_the_allowed_networks_is_never_connected_to() throws Exception {
        long sub = subscription(url("127.0.0.2", "/private"), "org.crmbulk.mail-task.done.v1");
        event("org.crmbulk.mail-task.done.v1");

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveries(sub).get(0).get("last_answer") != null);
        assertThat((String) deliveries(sub).get(0).get("last_answer")).startsWith("refused without connecting: the URL resolves to a loopback");
        assertThat(received.get("/private")).isNull();
        Fixtures.update("UPDATE webhook_subscription SET active = false WHERE id = ?", sub);
    }
}
