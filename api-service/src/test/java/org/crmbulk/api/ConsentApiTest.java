package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.crmbulk.testing.CrmStackResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Leaving, as a recipient does it: the public pages under /u/ (no token, no cookie, GET changes nothing, one-click
 * exactly as mailbox providers POST it, the same 404 for every bad link, a limit per client), and the suppression
 * list as campaign managers keep it (every change audited).
 */
@QuarkusTest
class ConsentApiTest {

    @Inject
    UnsubscribeLinks links;

    /** A delivery of a launch to a new contact, as the worker makes one at expansion. */
    record Sent(long contactId, long launchId, long deliveryId, long listId, String email, String token) {
    }

    private Sent sent(String language, String listName) throws Exception {
        String email = "Leaver." + UUID.randomUUID().toString().substring(0, 8) + "@Example.cz";
        Map<String, Object> contact = language == null ? Map.of("email", email, "firstName", "Lea")
                : Map.of("email", email, "firstName", "Lea", "language", language);
        long contactId = Api.given().contentType(ContentType.JSON).body(contact).post("/api/v1/contacts").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        long list = Api.list(listName, contactId);
        long launch = Api.given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", Api.bulkAction("Hi", "Body"), "listIds", List.of(list))).post("/api/v1/launches")
                .then().statusCode(202).extract().jsonPath().getLong("id");
        try (Connection c = LaunchApiTest.db(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO delivery (launch_id, contact_id, email, status, sent_at) VALUES (?, ?, ?, 'SENT', now()) RETURNING id")) {
            s.setLong(1, launch);
            s.setLong(2, contactId);
            s.setString(3, email);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long delivery = r.getLong(1);
                return new Sent(contactId, launch, delivery, list, email, links.tokens().sign(delivery));
            }
        }
    }

    /** A client of its own (the test trusts X-Forwarded-For), so tests do not share a rate bucket. */
    private static RequestSpecification anonymous() {
        return RestAssured.given().filter(ContractFilter.INSTANCE).header("X-Forwarded-For", "198.51.100." + (1 + (int) (Math.random() * 250)));
    }

    private static Response oneClick(String token) {
        return anonymous().contentType("application/x-www-form-urlencoded; charset=UTF-8").body("List-Unsubscribe=One-Click")
                .post("/u/{token}", token);
    }

    @Test
    void a_get_shows_a_page_in_the_recipients_language_and_unsubscribes_nobody() throws Exception {
        Sent czech = sent("cs-CZ", "Novinky <b>&\"jaro\"</b>");
        Map<String, Object> before = Tables.fingerprint();
        anonymous().get("/u/{token}", czech.token()).then().statusCode(200).contentType("text/html")
                .header("Set-Cookie", nullValue()).header("Cache-Control", "no-store")
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .body(containsString("<html lang=\"cs\">"), containsString("<form method=\"post\">"),
                        containsString("Novinky &lt;b&gt;&amp;&quot;jaro&quot;&lt;/b&gt;"), not(containsString("<b>&")),
                        containsString("value=\"LISTS\""), containsString("value=\"ALL\""),
                        containsString("L***@Example.cz"), not(containsString(czech.email())));
        // Scanners follow links, often more than once: nothing changes, ever.
        for (int i = 0; i < 3; i++) {
            anonymous().get("/u/{token}", czech.token()).then().statusCode(200);
        }
        assertThat(Tables.fingerprint()).as("a GET changes nothing").isEqualTo(before);

        Sent english = sent("en", "News");
        anonymous().header("Accept-Language", "cs").get("/u/{token}", english.token()).then().statusCode(200)
                .body(containsString("<html lang=\"en\">"), containsString("Only this list: News"));
        Sent unknown = sent(null, "News");
        anonymous().header("Accept-Language", "cs-CZ,cs;q=0.9").get("/u/{token}", unknown.token()).then()
                .body(containsString("<html lang=\"cs\">"));
    }

    @Test
    void one_click_as_a_mailbox_provider_posts_it_opts_the_address_out_at_once_and_only_once() throws Exception {
        Sent s = sent("en", "Spring");
        long started = System.nanoTime();
        oneClick(s.token()).then().statusCode(200).contentType("text/html").header("Location", nullValue())
                .header("Set-Cookie", nullValue()).body(containsString("You are unsubscribed"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

        // Applied synchronously: the contact, the suppression entry and the audit naming launch and delivery.
        Api.given().get("/api/v1/contacts/{id}", s.contactId()).then().body("optedOut", equalTo(true))
                .body("optOutSource", equalTo("one-click"));
        Api.given().queryParam("email", s.email()).get("/api/v1/suppressions").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].email", equalTo(s.email().toLowerCase()))
                .body("items[0].listId", nullValue()).body("items[0].reason", equalTo("UNSUBSCRIBED"))
                .body("items[0].source", equalTo("one-click")).body("items[0].launchId", equalTo((int) s.launchId()))
                .body("items[0].deliveryId", equalTo((int) s.deliveryId()));
        Api.given().get("/api/v1/contacts/{id}/consent-events", s.contactId()).then()
                .body("action", equalTo(List.of("SUPPRESSED", "OPT_OUT")))
                .body("launchId", equalTo(List.of((int) s.launchId(), (int) s.launchId())))
                .body("deliveryId", equalTo(List.of((int) s.deliveryId(), (int) s.deliveryId())));
        // The opt-out is an event too, with IDs and no address.
        List<String> events = consentEvents("contact-" + s.contactId(), 2);
        assertThat(events).anySatisfy(e -> assertThat(e).contains("\"type\":\"contact.unsubscribed\"")
                .contains("\"deliveryId\":" + s.deliveryId()));
        assertThat(events).noneMatch(e -> e.toLowerCase().contains(s.email().toLowerCase()));

        // Again (providers retry), and as multipart: the same answer, nothing more recorded.
        Map<String, Object> before = Tables.fingerprint();
        oneClick(s.token()).then().statusCode(200);
        anonymous().multiPart("List-Unsubscribe", "One-Click").post("/u/{token}", s.token()).then().statusCode(200);
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void the_page_can_leave_only_the_lists_the_message_was_sent_to() throws Exception {
        Sent s = sent("cs", "Jen tento");
        anonymous().contentType("application/x-www-form-urlencoded").body("scope=LISTS").post("/u/{token}", s.token()).then()
                .statusCode(200).body(containsString("Z tohoto seznamu"));
        Api.given().get("/api/v1/contacts/{id}", s.contactId()).then().body("optedOut", equalTo(false));
        Api.given().queryParam("email", s.email()).get("/api/v1/suppressions").then()
                .body("items.listId", equalTo(List.of((int) s.listId()))).body("items[0].source", equalTo("unsubscribe page"));
        // Then all of it.
        anonymous().contentType("application/x-www-form-urlencoded").body("scope=ALL").post("/u/{token}", s.token()).then().statusCode(200);
        Api.given().get("/api/v1/contacts/{id}", s.contactId()).then().body("optedOut", equalTo(true));
        Api.given().queryParam("email", s.email()).get("/api/v1/suppressions").then().body("items.size()", equalTo(2));
    }

    @Test
    void every_bad_link_gets_the_same_404_page_and_changes_nothing() throws Exception {
        Sent s = sent("en", "Guarded");
        String token = s.token();
        List<String> bad = new ArrayList<>(List.of(
                "a." + "A".repeat(32), // forged
                token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA"), // tampered
                UnsubscribeTokens.parse("test=" + "another-secret-of-the-same-key-name-000").sign(s.deliveryId()), // foreign key
                UnsubscribeTokens.parse("other=" + "x".repeat(40)).sign(s.deliveryId()), // unknown key ID
                links.tokens().sign(9_000_000_000L), // a delivery that does not exist
                "x".repeat(500), "a.b.c", token + "x", token.toUpperCase()));
        Map<String, Object> before = Tables.fingerprint();
        String page = null;
        for (String t : bad) {
            String get = anonymous().get("/u/{token}", t).then().statusCode(404).contentType("text/html").extract().asString();
            String post = oneClick(t).then().statusCode(404).contentType("text/html").extract().asString();
            assertThat(post).as("GET and POST say the same").isEqualTo(get);
            if (page != null) {
                assertThat(get).as("every bad link looks the same: " + t).isEqualTo(page);
            }
            page = get;
        }
        assertThat(page).doesNotContain("token", "key", "delivery", "signature", "Exception");
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_post_that_asks_for_nothing_known_changes_nothing() throws Exception {
        Sent s = sent("en", "Bodies");
        Map<String, Object> before = Tables.fingerprint();
        for (String body : List.of("", "List-Unsubscribe=Two-Click", "scope=EVERYTHING", "scope=%ZZ", "List-Unsubscribe=One-Click"
                + "&x=" + "y".repeat(5000), "unsubscribe=yes")) {
            anonymous().contentType("application/x-www-form-urlencoded").body(body).post("/u/{token}", s.token()).then()
                    .statusCode(400).contentType("text/html");
        }
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void hostile_tokens_headers_and_bodies_on_the_public_pages_get_a_page_never_an_error_and_change_nothing() throws Exception {
        Sent s = sent("en", "Hostile");
        Map<String, Object> before = Tables.fingerprint();
        List<String> values = List.of("x".repeat(2_000), "\u0000", "' OR 1=1 --", "\uD83D\uDE00\u0301\u202E", "%00", "<script>alert(1)</script>",
                "../../etc/passwd", "a.\u0000" + "A".repeat(31));
        for (String v : values) {
            List<Response> answers = List.of(anonymous().urlEncodingEnabled(true).get("/u/{token}", v), oneClick(v),
                    anonymous().header("Accept-Language", v.replace("\u0000", "")).get("/u/{token}", s.token()),
                    anonymous().contentType("application/x-www-form-urlencoded").body("scope=" + v).post("/u/{token}", s.token()));
            for (int i = 0; i < answers.size(); i++) {
                Response r = answers.get(i);
                assertThat(r.statusCode()).as(i + ": " + v).isIn(200, 400, 404);
                assertThat(r.contentType()).as(i + ": " + v + " " + r.asString()).startsWith("text/html");
                assertThat(r.asString()).doesNotContain("<script>alert");
            }
        }
        // Bytes that are not HTTP at all: the HTTP layer refuses them before the page is reached.
        String answer = BadInputTest.raw("GET /u/" + s.token() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: cs\u0000\r\n"
                + "Connection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void one_client_cannot_try_links_in_bulk_but_others_are_not_held_back() {
        String client = "203.0.113." + (1 + (int) (Math.random() * 250));
        int refused = 0;
        for (int i = 0; i < 60 && refused == 0; i++) {
            Response r = RestAssured.given().header("X-Forwarded-For", client).get("/u/{token}", "a." + "B".repeat(32));
            if (r.statusCode() == 429) {
                refused++;
                assertThat(r.header("Retry-After")).matches("\\d+");
                assertThat(r.contentType()).startsWith("text/html");
            } else {
                assertThat(r.statusCode()).isEqualTo(404);
            }
        }
        assertThat(refused).as("the limit was met within 60 requests").isPositive();
        anonymous().get("/u/{token}", "a." + "B".repeat(32)).then().statusCode(404);
    }

    @Test
    void campaign_managers_keep_the_suppression_list_and_every_change_is_audited() throws Exception {
        String email = "kept." + UUID.randomUUID().toString().substring(0, 8) + "@example.cz";
        long id = Api.given().contentType(ContentType.JSON).body(Map.of("email", email, "reason", "IMPORTED", "source", "listmonk export"))
                .post("/api/v1/suppressions").then().statusCode(201).header("Location", containsString("/api/v1/suppressions/"))
                .body("reason", equalTo("IMPORTED")).body("actor", equalTo(Api.TESTER)).extract().jsonPath().getLong("id");
        // The same address and scope again: 409; another scope is another entry.
        Api.given().contentType(ContentType.JSON).body(Map.of("email", email.toUpperCase())).post("/api/v1/suppressions").then()
                .statusCode(409).body("errors[0].field", equalTo("email"));
        long list = Api.list("Scoped");
        Api.given().contentType(ContentType.JSON).body(Map.of("email", email, "listId", list)).post("/api/v1/suppressions").then()
                .statusCode(201).body("reason", equalTo("MANUAL"));
        Api.given().queryParam("email", email).queryParam("limit", 1).get("/api/v1/suppressions").then()
                .body("items.size()", equalTo(1)).body("nextAfter", equalTo((int) id));
        Api.given().queryParam("reason", "IMPORTED").queryParam("after", id - 1).get("/api/v1/suppressions").then()
                .body("items[0].id", equalTo((int) id));

        // Removing needs a reason; the removal is in the log with it and the caller.
        Map<String, Object> before = Tables.fingerprint();
        Api.given().delete("/api/v1/suppressions/{id}", id).then().statusCode(400).body("errors[0].field", containsString("reason"));
        Api.given().queryParam("reason", " ").delete("/api/v1/suppressions/{id}", id).then().statusCode(400);
        Api.given().queryParam("reason", "a\nb").delete("/api/v1/suppressions/{id}", id).then().statusCode(400);
        assertThat(Tables.fingerprint()).isEqualTo(before);
        Api.given().queryParam("reason", "asked by phone, ticket 42").delete("/api/v1/suppressions/{id}", id).then().statusCode(204);
        Api.given().queryParam("reason", "again").delete("/api/v1/suppressions/{id}", id).then().statusCode(404);
        try (Connection c = LaunchApiTest.db(); PreparedStatement s = c.prepareStatement(
                "SELECT action, reason, actor FROM consent_event WHERE email = ? ORDER BY id")) {
            s.setString(1, email);
            List<String> log = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    log.add(r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3));
                }
            }
            assertThat(log).containsExactly("SUPPRESSED/IMPORTED/" + Api.TESTER, "SUPPRESSED/MANUAL/" + Api.TESTER,
                    "UNSUPPRESSED/asked by phone, ticket 42/" + Api.TESTER);
        }
    }

    @Test
    void bad_suppression_requests_name_the_field_and_change_nothing() throws Exception {
        Map<String, Object> before = Tables.fingerprint();
        for (String body : List.of("{}", "{\"email\":\"not-an-address\"}", "{\"email\":\"a@example.cz\",\"reason\":\"BORED\"}",
                "{\"email\":\"a@example.cz\",\"listId\":0}", "{\"email\":\"a@example.cz\",\"source\":\"x\\ny\"}",
                "{\"email\":\"a@example.cz\",\"extra\":1}")) {
            Api.post("/api/v1/suppressions", body).statusCode(400).contentType("application/problem+json")
                    .body("errors[0].field", not(nullValue()));
        }
        Api.given().queryParam("email", "nope").get("/api/v1/suppressions").then().statusCode(400);
        Api.given().queryParam("reason", "BORED").get("/api/v1/suppressions").then().statusCode(400);
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void a_suppression_list_from_another_tool_comes_in_as_csv_row_by_row_and_goes_out_the_same_way() throws Exception {
        String p = "imp" + UUID.randomUUID().toString().substring(0, 6);
        long list = Api.list("Imported scope");
        String csv = "\uFEFFEmail,listId,reason,source\r\n"
                + p + "-a@example.cz,,,\r\n"
                + p + "-b@example.cz," + list + ",COMPLAINT,\"old tool, 2024\"\r\n"
                + "not-an-address,,,\r\n"
                + p + "-c@example.cz,0,,\r\n"
                + p + "-d@example.cz,,BORED,\r\n"
                + p + "-A@example.cz,,,\r\n";
        Api.given().contentType("text/csv").body(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/suppressions/import")
                .then().statusCode(200).body("added", equalTo(2)).body("alreadySuppressed", equalTo(1)).body("rejected", equalTo(3))
                .body("errors.line", equalTo(List.of(4, 5, 6))).body("errors.field", equalTo(List.of("email", "listId", "reason")));
        Api.given().queryParam("email", p + "-b@example.cz").get("/api/v1/suppressions").then()
                .body("items[0].reason", equalTo("COMPLAINT")).body("items[0].source", equalTo("old tool, 2024"))
                .body("items[0].listId", equalTo((int) list));
        String exported = Api.given().accept("text/csv").get("/api/v1/suppressions/export.csv").then().statusCode(200)
                .contentType("text/csv").extract().asString();
        assertThat(exported).startsWith("id,email,listId,reason,source,launchId,deliveryId,actor,createdAt\r\n")
                .contains("," + p + "-a@example.cz,,IMPORTED,import,,,tester,")
                .contains("," + p + "-b@example.cz," + list + ",COMPLAINT,\"old tool, 2024\",,,tester,");

        // A file that is not CSV, or not UTF-8, imports nothing.
        Map<String, Object> before = Tables.fingerprint();
        Api.given().contentType("text/csv").body("email\n" + p + "-x@example.cz\n\"" + p + "-y@example.cz,\n").post("/api/v1/suppressions/import")
                .then().statusCode(400).body("errors[0].field", equalTo("file"));
        Api.given().contentType("text/csv").body(new byte[] {'e', 'm', 'a', 'i', 'l', '\n', (byte) 0xE9, '@', 'x', '.', 'c', 'z', '\n'})
                .post("/api/v1/suppressions/import").then().statusCode(400).body("errors[0].reason", equalTo("not UTF-8"));
        Api.given().contentType("text/csv").body("address\nx@example.cz\n").post("/api/v1/suppressions/import").then().statusCode(400)
                .body("errors[0].field", equalTo("file"));
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    /** The consent events published for this key, waiting until at least {@code atLeast} arrived. */
    private static List<String> consentEvents(String key, int atLeast) {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getProperty(CrmStackResource.KAFKA));
        p.put("group.id", "test-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("crm.consent"));
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline && found.size() < atLeast) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (key.equals(r.key())) {
                        found.add(r.value());
                    }
                }
            }
        }
        return found;
    }
}
