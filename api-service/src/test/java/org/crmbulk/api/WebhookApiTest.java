package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** Webhook subscriptions: what they accept, what they refuse (changing nothing), their fan-out, log and replays. */
@QuarkusTest
class WebhookApiTest {

    private static final String CODEBOOK_CHANGED = "org.crmbulk.codebook.changed.v1";
    private static final String OK_URL = "http://127.0.0.1:9/hooks"; // tests allow 127.0.0.1 (crm.webhooks.allowed-networks)

    private static RequestSpecification admin() {
        return Api.as("integrator", TestTokens.WEBHOOK_ADMIN).contentType(ContentType.JSON);
    }

    private static JsonPath create(Map<String, Object> body) {
        return admin().body(body).post("/api/v1/webhooks").then().statusCode(201).extract().jsonPath();
    }

    private static void changeCodebook(String key) {
        Api.given().contentType(ContentType.JSON).body(Map.of("value", "v-" + key)).put("/api/v1/codebooks/ZZ_HOOKS/entries/{k}", key)
                .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static long count(String sql) throws Exception {
        try (Connection c = LaunchApiTest.db(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void a_subscription_is_created_with_a_secret_shown_once_changed_listed_and_removed() {
        JsonPath made = create(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "description", "ERP"));
        long id = made.getLong("id");
        assertThat(made.getString("secret")).startsWith("whsec_");
        assertThat(made.getString("createdBy")).isEqualTo("integrator");
        assertThat(made.getBoolean("active")).isTrue();

        admin().get("/api/v1/webhooks/{id}", id).then().statusCode(200).body("secret", nullValue()).body("url", equalTo(OK_URL));
        admin().get("/api/v1/webhooks?limit=1000").then().statusCode(200).body("items.id", hasItem((int) id));

        String own = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        admin().body(Map.of("url", OK_URL + "/v2", "eventTypes", List.of(CODEBOOK_CHANGED, "org.crmbulk.delivery.bounced.v1"),
                "active", false, "secret", own)).put("/api/v1/webhooks/{id}", id)
                .then().statusCode(200).body("url", equalTo(OK_URL + "/v2")).body("active", equalTo(false)).body("secret", equalTo(own))
                .body("eventTypes.size()", equalTo(2));
        admin().body(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED))).put("/api/v1/webhooks/{id}", id)
                .then().statusCode(200).body("secret", nullValue()).body("active", equalTo(true));

        admin().delete("/api/v1/webhooks/{id}", id).then().statusCode(204);
        admin().get("/api/v1/webhooks/{id}", id).then().statusCode(404).body("errors[0].field", equalTo("id"));
    }

    /** Every place a target, an event type or a secret enters (creation and change) refuses the same bad values. */
    @Test
    void bad_targets_types_and_secrets_are_refused_naming_the_field_and_change_nothing() throws Exception {
        long id = create(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED))).getLong("id");
        List<Map<String, Object>> bad = new ArrayList<>();
        for (String url : List.of("http://10.0.0.1/h", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080/h", "http://127.0.0.2/h",
                "http://192.168.0.10/", "http://[::ffff:10.0.0.1]/", "http://[fd00::1]/", "http://0.0.0.0:8080/", "ftp://8.8.8.8/h",
                "file:///etc/passwd", "http://user:pass@127.0.0.1/h", "not a url", "http://no-such-host.invalid/h")) {
            bad.add(Map.of("url", url, "eventTypes", List.of(CODEBOOK_CHANGED), "expect", "url"));
        }
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of("org.crmbulk.no-such.v1"), "expect", "eventTypes[0]"));
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED, "launch.status-changed"), "expect", "eventTypes[1]"));
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of(), "expect", "eventTypes"));
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "secret", "short", "expect", "secret"));
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "secret", "whsec_c2hvcnQ=", "expect", "secret"));
        bad.add(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "description", "a\r\nb", "expect", "description"));

        Tables.Unchanged unchanged = new Tables.Unchanged();
        for (Map<String, Object> b : bad) {
            Map<String, Object> body = new HashMap<>(b);
            String field = (String) body.remove("expect");
            unchanged.before();
            admin().body(body).post("/api/v1/webhooks").then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(field));
            admin().body(body).put("/api/v1/webhooks/{id}", id).then().statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", equalTo(field));
            unchanged.check(body + " changed nothing");
        }
        admin().get("/api/v1/webhooks/{id}", id).then().body("url", equalTo(OK_URL));
    }

    @Test
    void each_event_becomes_a_delivery_of_every_active_subscription_to_its_type_in_the_same_transaction() throws Exception {
        long wants = create(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED))).getLong("id");
        long other = create(Map.of("url", OK_URL, "eventTypes", List.of("org.crmbulk.delivery.sent.v1"))).getLong("id");
        long inactive = create(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "active", false)).getLong("id");

        changeCodebook("fan-out");

        assertThat(count("SELECT count(*) FROM webhook_delivery WHERE subscription_id = " + wants)).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM webhook_delivery WHERE subscription_id = " + other)).isZero();
        assertThat(count("SELECT count(*) FROM webhook_delivery WHERE subscription_id = " + inactive)).isZero();
        admin().get("/api/v1/webhooks/{id}/deliveries", wants).then().statusCode(200)
                .body("items[0].type", equalTo(CODEBOOK_CHANGED)).body("items[0].webhookId", startsWith("crm-event-"))
                .body("items[0].status", equalTo("PENDING")).body("items[0].replay", equalTo(false));
        admin().delete("/api/v1/webhooks/{id}", wants).then().statusCode(204);
        assertThat(count("SELECT count(*) FROM webhook_delivery WHERE subscription_id = " + wants)).as("its log went with it").isZero();
    }

    @Test
    void the_delivery_log_pages_newest_first_and_a_replay_queues_the_range_again_once() throws Exception {
        OffsetDateTime start = OffsetDateTime.now().minusSeconds(1);
        long id = create(Map.of("url", OK_URL, "eventTypes", List.of(CODEBOOK_CHANGED), "active", false)).getLong("id");
        for (int i = 0; i < 5; i++) {
            changeCodebook("replayed-" + i);
        }
        admin().get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(200).body("items.size()", equalTo(0));

        JsonPath replayed = admin().body(Map.of("from", start.toString())).post("/api/v1/webhooks/{id}/replays", id)
                .then().statusCode(202).extract().jsonPath();
        assertThat(replayed.getInt("deliveries")).isGreaterThanOrEqualTo(5);
        admin().body(Map.of("from", start.toString())).post("/api/v1/webhooks/{id}/replays", id)
                .then().statusCode(202).body("deliveries", equalTo(0)); // still pending: not queued twice

        List<Long> seen = new ArrayList<>();
        Long before = null;
        do {
            RequestSpecification page = admin().queryParam("limit", 2).queryParam("status", "PENDING");
            if (before != null) {
                page.queryParam("before", before);
            }
            JsonPath p = page.get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(200).extract().jsonPath();
            assertThat(p.getList("items.replay", Boolean.class)).containsOnly(true);
            seen.addAll(p.getList("items.id", Long.class));
            before = p.getObject("nextBefore", Long.class);
        } while (before != null);
        assertThat(seen).hasSize(replayed.getInt("deliveries")).doesNotHaveDuplicates().isSortedAccordingTo(java.util.Comparator.reverseOrder());

        admin().body(Map.of("from", start.toString(), "to", start.minusHours(1).toString())).post("/api/v1/webhooks/{id}/replays", id)
                .then().statusCode(400).body("errors[0].field", equalTo("to"));
        admin().body(Map.of()).post("/api/v1/webhooks/{id}/replays", id).then().statusCode(400).body("errors[0].field", equalTo("from"));
        admin().queryParam("status", "LOST").get("/api/v1/webhooks/{id}/deliveries", id).then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
    }
}
