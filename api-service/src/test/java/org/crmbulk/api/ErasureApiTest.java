package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.TestTokens;
import org.crmbulk.testing.Traces;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;

/**
 * Erasure (GDPR Art. 17): a privacy officer erases a person and no column of any table names their address or their
 * name afterwards (scanned, not listed), launch history keeps its rows, and the suppression list keeps only a keyed
 * hash (checked against Python's hmac) that still stops their marketing mail.
 */
@QuarkusTest
class ErasureApiTest {

    /** The test profile's crm.consent.erasure-key. */
    private static final String KEY = "erasure-test-key-0123456789abcdefghijklmn";

    @Inject
    UnsubscribeLinks links;

    private static RequestSpecification officer() {
        return Api.as("officer", TestTokens.PRIVACY_OFFICER);
    }

    @Test
    void an_erased_person_leaves_no_trace_in_any_column_and_only_a_keyed_hash_keeps_their_marketing_mail_away() throws Exception {
        String u = UUID.randomUUID().toString().substring(0, 8);
        String email = "Erin.Quell-" + u + "@Example.cz";
        String address = email.toLowerCase(Locale.ROOT);
        String lastName = "Quellström" + u;
        long contact = Api.given().contentType(ContentType.JSON).body(Map.of("email", email, "firstName", "Erinya", "lastName", lastName,
                "customFields", Map.of("note", "write to " + email))).post("/api/v1/contacts").then().statusCode(201).extract().jsonPath()
                .getLong("id");
        long other = Api.contact("stays-" + u + "@example.cz", "Stays");
        long list = Api.list("Erasure " + u, contact, other);
        Api.given().contentType(ContentType.JSON).body(Map.of("email", email.toUpperCase(Locale.ROOT), "listId", list))
                .post("/api/v1/suppressions").then().statusCode(201);

        // A launch sent to them (the worker's rows: the delivery with the relay's reply, their activity), and one still queued.
        long action = Api.bulkAction("Hi {contact.firstName}", "Body");
        long launch = Api.given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
        long sent = sql("INSERT INTO delivery (launch_id, contact_id, email, display_name, status, sent_at, last_reply) VALUES (?, ?, ?, ?, "
                + "'SENT', now(), ?) RETURNING id", launch, contact, email, "Erinya " + lastName, "250 2.0.0 Ok: queued for <" + email + ">");
        sql("INSERT INTO delivery (launch_id, contact_id, email, status) VALUES (?, ?, ?, 'SENT') RETURNING id", launch, other,
                "stays-" + u + "@example.cz");
        long activity = sql("INSERT INTO activity (type, subject, body, status, contact_id, launch_id, delivery_id) VALUES ('EMAIL', ?, ?, "
                + "'DONE', ?, ?, ?) RETURNING id", "Hi Erinya", "Dear Erinya " + lastName + ",", contact, launch, sent);
        sql("UPDATE delivery SET activity_id = ? WHERE id = ? RETURNING id", activity, sent);
        long launch2 = Api.given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
        long queued = sql("INSERT INTO delivery (launch_id, contact_id, email, status) VALUES (?, ?, ?, 'PENDING') RETURNING id", launch2,
                contact, email);
        // They left through the link in that message, a test send went to them, and a meeting mailed them.
        RestAssured.given().header("X-Forwarded-For", "198.51.100.77").contentType("application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click").post("/u/{token}", links.tokens().sign(sent)).then().statusCode(200);
        Api.given().contentType(ContentType.JSON).body(Map.of("addresses", List.of("team-" + u + "@example.cz", email)))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(202);
        long meeting = Api.given().contentType(ContentType.JSON).body(Map.of("type", "MEETING", "subject", "Meeting with Erinya " + lastName,
                "body", "Agenda for " + email, "contactId", contact,
                "participants", List.of(Map.of("email", email, "name", "Erinya " + lastName), Map.of("email", "boss-" + u + "@example.cz"))))
                .post("/api/v1/activities").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.given().contentType(ContentType.JSON).body(Map.of("task", "participants")).post("/api/v1/activities/{id}/mail-tasks", meeting)
                .then().statusCode(202);
        // Their mailbox bounced that message: the report an MTA handed in, and what the worker made of it.
        long report = Api.as("mx", TestTokens.MAIL_INTAKE).contentType("message/rfc822")
                .body(BounceCorpus.fixture("postfix-dsn.eml", email, "bounces+00@bounces.example.cz", "<e" + u + "@x>"))
                .post("/api/v1/inbound-reports").then().statusCode(202).extract().jsonPath().getLong("id");
        sql("INSERT INTO bounce (report_id, delivery_id, address, class, status, diagnostic) VALUES (?, ?, ?, 'HARD', '5.1.1', ?) RETURNING id",
                report, sent, address, "550 5.1.1 <" + email + ">: User unknown");
        sql("UPDATE delivery SET bounce = 'HARD', bounce_diagnostic = ? WHERE id = ? RETURNING id", "5.1.1 <" + email + ">: User unknown", sent);
        // And someone wrote the address into a list's description.
        Api.given().contentType(ContentType.JSON).body(Map.of("description", "ask " + email + " first"))
                .patch("/api/v1/lists/{id}", list).then().statusCode(200);
        assertThat(traces(address, lastName)).as("the fixtures leave traces where an erasure must find them").hasSizeGreaterThan(8);
        long membersBefore = Api.given().get("/api/v1/lists/{id}", list).then().extract().jsonPath().getLong("memberCount");

        JsonPath erased = officer().contentType(ContentType.JSON).body(Map.of("contactId", contact, "reason", "GDPR request 117"))
                .post("/api/v1/erasures").then().statusCode(201).extract().jsonPath();
        assertThat(erased.prettify()).doesNotContainIgnoringCase(address).doesNotContain(lastName);
        assertThat(erased.getLong("contactId")).isEqualTo(contact);
        assertThat(erased.getString("actor")).isEqualTo("officer");
        assertThat(erased.getInt("rewritten.contact")).isEqualTo(1);
        assertThat(erased.getInt("rewritten.delivery")).isGreaterThanOrEqualTo(4); // launch, queued, test send, meeting
        officer().get("/api/v1/erasures/{id}", erased.getLong("id")).then().statusCode(200).body("reason", equalTo("GDPR request 117"));

        assertThat(traces(address, lastName)).as("columns that still name the person").isEmpty();
        assertThat(traces("erinya", null)).as("their first name, in the rows about them").isEmpty();
        Api.given().get("/api/v1/contacts/{id}", contact).then().statusCode(404);
        assertThat(Api.given().get("/api/v1/lists/{id}", list).then().extract().jsonPath().getLong("memberCount")).isEqualTo(membersBefore - 1);
        // History keeps its rows: the deliveries are still there, pseudonymised, and the queued one will never go out.
        String placeholder = "erased-" + erased.getLong("id") + "@erased.invalid";
        assertThat(text("SELECT string_agg(email || ':' || status, ',' ORDER BY id) FROM delivery WHERE launch_id IN (" + launch + ","
                + launch2 + ") AND contact_id IS NOT DISTINCT FROM " + contact)).isEqualTo(placeholder + ":SENT," + placeholder + ":PENDING");
        assertThat(text("SELECT email FROM delivery WHERE id = " + queued)).isEqualTo(placeholder);
        assertThat(text("SELECT count(*) FROM delivery WHERE launch_id = " + launch)).isEqualTo("2");

        // All that is kept: the keyed hash, HMAC-SHA256(key, lower(address)) as Python computes it, for all marketing mail.
        Api.given().queryParam("email", email).get("/api/v1/suppressions").then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].reason", equalTo("ERASED")).body("items[0].email", equalTo(null))
                .body("items[0].listId", equalTo(null));
        assertThat(text("SELECT encode(address_hash, 'hex') FROM suppression WHERE source = 'erasure " + erased.getLong("id") + "'"))
                .isEqualTo(pythonHmac(KEY, address));
        assertThat(text("SELECT launch_stop_reason(" + launch + ", '" + email.toUpperCase(Locale.ROOT) + "', false, convert_to('" + KEY
                + "', 'UTF8'))")).isEqualTo("skipped: suppressed (ERASED, all marketing mail)");
        assertThat(text("SELECT launch_stop_reason(" + launch + ", 'stays-" + u + "@example.cz', false, convert_to('" + KEY
                + "', 'UTF8'))")).isNull();
        Api.given().get("/api/v1/suppressions/export.csv").then().statusCode(200)
                .body(org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("erasure " + erased.getLong("id"))));
        assertThat(text("SELECT string_agg(action || '/' || coalesce(email, '-'), ',' ORDER BY id) FROM consent_event WHERE contact_id = "
                + contact)).isEqualTo("SUPPRESSED/-,OPT_OUT/-,ERASED/-");
    }

    @Test
    void a_person_whose_contact_was_deleted_is_erased_by_address() throws Exception {
        String email = "deleted-" + UUID.randomUUID().toString().substring(0, 8) + "@example.cz";
        long contact = Api.contact(email, "Dora");
        long launch = launchTo(contact);
        sql("INSERT INTO delivery (launch_id, contact_id, email, status) VALUES (?, ?, ?, 'SENT') RETURNING id", launch, contact, email);
        Api.given().delete("/api/v1/contacts/{id}", contact).then().statusCode(204);
        assertThat(traces(email, null)).as("a plain DELETE keeps the history as it was").isNotEmpty();

        officer().contentType(ContentType.JSON).body(Map.of("email", email, "reason", "GDPR request 118")).post("/api/v1/erasures").then()
                .statusCode(201).body("contactId", equalTo(null)).body("rewritten.keySet()", hasItem("delivery"));
        assertThat(traces(email, null)).isEmpty();
    }

    @Test
    void a_contact_who_shares_an_address_with_the_organisations_sender_is_erased_without_taking_the_sender_out_of_service()
            throws Exception {
        String shop = "shop-" + UUID.randomUUID().toString().substring(0, 8) + "@example.cz";
        long contact = Api.contact(shop, "Shop");
        long action = Api.given().contentType(ContentType.JSON).body(Map.of("name", "Shop news", "from", shop, "replyTo", shop,
                "subject", "Hi", "textBody", "Write to " + shop)).post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath()
                .getLong("id");

        officer().contentType(ContentType.JSON).body(Map.of("contactId", contact, "reason", "GDPR request 119")).post("/api/v1/erasures")
                .then().statusCode(201);
        Api.given().get("/api/v1/bulk-actions/{id}", action).then().statusCode(200).body("from", equalTo(shop))
                .body("replyTo", equalTo(shop)).body("textBody", equalTo("Write to erased-" + text("SELECT max(id) FROM erasure")
                        + "@erased.invalid"));
        assertThat(traces(shop, null)).containsExactlyInAnyOrder("bulk_action_version.from_address (1 rows contain " + shop + ")",
                "bulk_action_version.reply_to (1 rows contain " + shop + ")");
    }

    @Test
    void bad_erasure_requests_are_refused_naming_the_field_and_change_nothing() throws Exception {
        Map<String, Object> before = Tables.fingerprint();
        officer().contentType(ContentType.JSON).body(Map.of("contactId", 5)).post("/api/v1/erasures").then().statusCode(400)
                .body("errors.field", hasItem(org.hamcrest.Matchers.containsString("reason")));
        officer().contentType(ContentType.JSON).body(Map.of("reason", "x")).post("/api/v1/erasures").then().statusCode(422)
                .body("errors[0].field", equalTo("contactId"));
        officer().contentType(ContentType.JSON).body(Map.of("reason", "x", "contactId", 5, "email", "a@example.cz"))
                .post("/api/v1/erasures").then().statusCode(422).body("errors[0].field", equalTo("email"));
        officer().contentType(ContentType.JSON).body(Map.of("reason", "x", "contactId", 987_654_321)).post("/api/v1/erasures").then()
                .statusCode(404).body("errors[0].field", equalTo("contactId"));
        officer().contentType(ContentType.JSON).body(Map.of("reason", "x", "email", "not an address")).post("/api/v1/erasures").then()
                .statusCode(400).body("errors.field", hasItem(org.hamcrest.Matchers.containsString("email")));
        officer().get("/api/v1/erasures/{id}", 987_654_321).then().statusCode(404);
        assertThat(Tables.fingerprint()).isEqualTo(before);
    }

    @Test
    void an_erasure_waits_while_a_message_to_the_person_is_being_handed_to_the_relay() throws Exception {
        String email = "sending-" + UUID.randomUUID().toString().substring(0, 8) + "@example.cz";
        long contact = Api.contact(email, "Sid");
        long launch = launchTo(contact);
        long delivery = sql("INSERT INTO delivery (launch_id, contact_id, email, status, claimed_by, claimed_until) "
                + "VALUES (?, ?, ?, 'SENDING', 'w1', now() + interval '1 minute') RETURNING id", launch, contact, email);
        Map<String, Object> before = Tables.fingerprint();
        officer().contentType(ContentType.JSON).body(Map.of("contactId", contact, "reason", "x")).post("/api/v1/erasures").then()
                .statusCode(409).header("Retry-After", "60");
        assertThat(Tables.fingerprint()).isEqualTo(before);
        sql("UPDATE delivery SET status = 'SENT' WHERE id = ? RETURNING id", delivery);
        officer().contentType(ContentType.JSON).body(Map.of("contactId", contact, "reason", "x")).post("/api/v1/erasures").then()
                .statusCode(201);
    }

    /** A launch over a new list of this one contact, accepted (no worker runs here: its deliveries are the test's). */
    private static long launchTo(long contact) {
        return Api.given().contentType(ContentType.JSON).body(Map.of("bulkActionId", Api.bulkAction("Hi", "Body"),
                "listIds", List.of(Api.list("Erasure", contact)))).post("/api/v1/launches").then().statusCode(202).extract().jsonPath()
                .getLong("id");
    }

    private static List<String> traces(String term, String otherTerm) throws Exception {
        try (Connection c = LaunchApiTest.db()) {
            List<String> found = new ArrayList<>(Traces.of(c, term));
            if (otherTerm != null) {
                found.addAll(Traces.of(c, otherTerm));
            }
            return found;
        }
    }

    private static long sql(String sql, Object... args) throws Exception {
        try (Connection c = LaunchApiTest.db(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static String text(String sql) throws Exception {
        try (Connection c = LaunchApiTest.db(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static String pythonHmac(String key, String message) throws Exception {
        Process python = new ProcessBuilder("python3", "-c", "import hmac,hashlib,sys; "
                + "print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())", key, message)
                .redirectErrorStream(true).start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(python.waitFor()).as(out).isZero();
        return out;
    }
}
