package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.ArrayList;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.FaultySmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Bounces handed in over HTTP, as an MTA pipes them, for a campaign the real worker sends with VERP return paths: each
 * linked to its delivery by the return path the relay saw in MAIL FROM; a bounce storm pauses the launch with its reason,
 * and it can be resumed.
 */
class BounceSystemTest {

    @AfterEach
    void restoreTheWorker() throws Exception {
        Stack.shared().restoreWorker();
    }

    @Test
    void a_bounce_storm_over_http_marks_the_deliveries_suppresses_the_addresses_and_pauses_the_launch_until_resumed() throws Exception {
        Stack stack = Stack.shared();
        int recipients = 40;
        long list = SystemApi.importedList("Storm", "storm", recipients);
        long action = SystemApi.textBulkAction("Storm offer", "Hello.");
        stack.worker.close();
        try (FaultySmtpServer relay = new FaultySmtpServer()) {
            // The last delivery's message waits at the relay, so the launch is still running when the bounces come back.
            relay.fault("storm9@example.cz", FaultySmtpServer.Fault.HOLD, 1);
            stack.worker = stack.startWorker(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()), "CRM_BOUNCE_DOMAIN", "bounces.example.cz",
                    "CRM_DELIVERY_BATCH_SIZE", "4", "CRM_GUARDRAIL_MIN_MESSAGES", "20", "CRM_BOUNCE_POLL_INTERVAL", "1s"));
            String location = SystemApi.startLaunch(action, list);
            long launchId = SystemApi.launch(location).getLong("id");
            await().atMost(Duration.ofSeconds(60)).until(() -> SystemApi.launch(location).getInt("counters.sent") >= 30);
            assertThat(SystemApi.launch(location).getString("status")).isEqualTo("RUNNING");

            List<List<String>> sessions = relay.transcripts();
            List<String> mailFrom = sessions.stream().flatMap(List::stream).filter(c -> c.startsWith("MAIL FROM:")).toList();
            assertThat(mailFrom).as("every message's envelope sender is its own return path on the bounce domain")
                    .isNotEmpty().allMatch(c -> c.matches("MAIL FROM:<bounces\\+[0-9a-f]{36}@bounces\\.example\\.cz>.*"));
            List<FaultySmtpServer.Accepted> sent = relay.accepted().subList(0, 4);
            for (FaultySmtpServer.Accepted m : sent) {
                String address = m.recipients().get(0);
                String returnPath = returnPathOf(relay, m);
                byte[] bounce = BounceCorpus.fixture("gmail-dsn.eml", address, returnPath, "<not-the-id@elsewhere.example>");
                given().contentType("message/rfc822").body(bounce).post("/api/v1/inbound-reports").then().statusCode(202);
            }

            JsonPath paused = SystemApi.awaitStatus(location, Duration.ofSeconds(30), Set.of("PAUSED"));
            assertThat(paused.getString("pauseReason")).contains("hard bounces").contains("more than 8 %");
            assertThat(paused.getInt("counters.bounced")).isEqualTo(4);
            assertThat(Mails.metric(stack.worker, "crm_inbound_reports_total", "kind=\"BOUNCE\"")).isEqualTo(4.0);
            assertThat(Mails.metric(stack.worker, "crm_bounces_total", "class=\"HARD\"")).isEqualTo(4.0);
            for (FaultySmtpServer.Accepted m : sent) {
                JsonPath d = given().queryParam("limit", 100).get(location + "/deliveries").then().statusCode(200).extract().jsonPath();
                Map<String, Object> row = d.getList("items", Map.class).stream()
                        .filter(i -> m.recipients().get(0).equalsIgnoreCase((String) i.get("email"))).findFirst().orElseThrow();
                assertThat(row.get("bounce")).isEqualTo("HARD");
                assertThat((String) row.get("bounceDiagnostic")).contains("5.1.1");
            }
            try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM suppression WHERE reason = 'HARD_BOUNCE' AND launch_id = " + launchId)) {
                rs.next();
                assertThat(rs.getInt(1)).as("each bounced address suppressed").isEqualTo(4);
            }

            relay.release();
            given().post(location + "/resume").then().statusCode(200);
            JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
            SystemApi.assertCountersMatchRows(launchId);
        }
    }

    @Test
    void every_report_of_the_corpus_handed_in_over_http_is_read_by_the_running_worker_as_the_corpus_says() throws Exception {
        Stack.shared();
        String p = "corpus" + UUID.randomUUID().toString().substring(0, 6);
        String unsigned = "bounces+" + "0".repeat(36) + "@" + Stack.BOUNCE_DOMAIN; // names no delivery: read, linked to none
        Map<String, String> reports = new java.util.LinkedHashMap<>();
        List<BounceCorpus.Expected> expected = new ArrayList<>(BounceCorpus.expected());
        expected.add(new BounceCorpus.Expected("autoreply.eml", "UNCLASSIFIED", null, null, null));
        expected.add(new BounceCorpus.Expected("unknown-format.eml", "UNCLASSIFIED", null, null, null));
        for (BounceCorpus.Expected e : expected) {
            byte[] raw = BounceCorpus.fixture(e.file(), p + "-" + e.file().replace(".eml", "") + "@example.org", unsigned,
                    "<" + p + "@elsewhere.example>");
            reports.put(e.file(), given().contentType("message/rfc822").body(raw).post("/api/v1/inbound-reports").then().statusCode(202)
                    .extract().header("Location"));
        }
        for (BounceCorpus.Expected e : expected) {
            JsonPath read = await().atMost(Duration.ofSeconds(30)).until(() -> given().get(reports.get(e.file())).then().statusCode(200)
                    .extract().jsonPath(), r -> r.getString("processedAt") != null);
            assertThat(read.getString("kind")).as(e.file()).isEqualTo(e.kind());
            if (e.cls() == null) {
                assertThat(read.getList("recipients")).as(e.file() + ": nothing guessed").isEmpty();
                continue;
            }
            assertThat(read.getString("format")).as(e.file()).isEqualTo(e.format());
            assertThat(read.getList("recipients", Map.class)).as(e.file()).singleElement().satisfies(r -> {
                assertThat(r.get("address")).isEqualTo(p + "-" + e.file().replace(".eml", "") + "@example.org");
                assertThat(r.get("bounceClass")).isEqualTo(e.cls());
                assertThat(r.get("status")).isEqualTo(e.status());
                assertThat(r.get("deliveryId")).isNull();
            });
        }
    }

    @Test
    void every_kind_of_mail_goes_out_with_a_return_path_of_its_own_on_the_bounce_domain() throws Exception {
        Stack stack = Stack.shared();
        String p = "verp" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("VERP", p + "-", 2);
        long action = SystemApi.textBulkAction("Return paths", "Hello.");
        SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60));
        String testSend = given().contentType(ContentType.JSON).body(Map.of("addresses", List.of(p + "-test@example.cz")))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(testSend).then().extract().path("status")));
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(List.of(p + "-guest@example.cz")));
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(job).then().extract().path("status")));

        List<String> returnPaths = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            returnPaths.clear();
            for (jakarta.mail.internet.MimeMessage m : stack.smtp.received()) {
                if (m.getAllRecipients()[0].toString().startsWith(p + "-")) {
                    returnPaths.add(m.getHeader("Return-Path")[0]);
                }
            }
            return returnPaths.size() == 4;
        });
        assertThat(returnPaths).as("launch (2), test send, mail task").allMatch(
                path -> path.matches("<?bounces\\+[0-9a-f]{36}@" + Stack.BOUNCE_DOMAIN.replace(".", "\\.") + ">?")).doesNotHaveDuplicates();
    }

    @Test
    void a_recipient_who_mails_the_list_unsubscribe_address_leaves_whether_the_mailbox_or_the_intake_endpoint_brings_it() throws Exception {
        Stack stack = Stack.shared();
        String p = "mailto" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("Mailto", p + "-", 3);
        SystemApi.awaitFinal(SystemApi.startLaunch(SystemApi.textBulkAction("Leave by mail", "Hello."), list), Duration.ofSeconds(60));
        Map<String, String> mailto = new java.util.HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (jakarta.mail.internet.MimeMessage m : stack.smtp.received()) {
                String to = m.getAllRecipients()[0].toString();
                if (to.startsWith(p + "-")) {
                    java.util.regex.Matcher entry = java.util.regex.Pattern.compile("<mailto:([^?>]+)\\?subject=unsubscribe>")
                            .matcher(jakarta.mail.internet.MimeUtility.unfold(m.getHeader("List-Unsubscribe", null)));
                    assertThat(entry.find()).as("the campaign message offers a mailto: entry").isTrue();
                    mailto.put(to, entry.group(1));
                }
            }
            return mailto.size() == 3;
        });
        String byMailbox = p + "-0@example.cz";
        String byEndpoint = p + "-1@example.cz";
        assertThat(mailto.get(byMailbox)).matches("bounces\\+unsubscribe-[0-9a-f]{36}@" + Stack.BOUNCE_DOMAIN.replace(".", "\\."));

        stack.bounceMailbox.deliver(BounceCorpus.fixture("unsubscribe-gmail.eml", Map.of("recipient", byMailbox, "unsubscribeAddress",
                mailto.get(byMailbox))));
        given().contentType("message/rfc822").body(BounceCorpus.fixture("unsubscribe-piped.eml", Map.of("recipient", byEndpoint,
                "unsubscribeAddress", mailto.get(byEndpoint)))).post("/api/v1/inbound-reports").then().statusCode(202);

        for (String address : List.of(byMailbox, byEndpoint)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(given().queryParam("email", address)
                    .get("/api/v1/suppressions").then().statusCode(200).extract().jsonPath().getList("items", Map.class)).singleElement()
                    .satisfies(s -> assertThat(s).containsEntry("reason", "UNSUBSCRIBED").containsEntry("source", "mailto")));
        }
        try (Connection c = stack.postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT email, opted_out FROM contact WHERE email LIKE '" + p + "-%' ORDER BY email")) {
            Map<String, Boolean> optedOut = new java.util.TreeMap<>();
            while (rs.next()) {
                optedOut.put(rs.getString(1), rs.getBoolean(2));
            }
            assertThat(optedOut).containsEntry(byMailbox, true).containsEntry(byEndpoint, true).containsEntry(p + "-2@example.cz", false);
        }
    }

    @Test
    void bounces_in_the_mailbox_reach_deliveries_and_activities_and_a_poller_killed_mid_batch_applies_each_exactly_once()
            throws Exception {
        Stack stack = Stack.shared();
        int recipients = 150;
        String p = "imap" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("Mailbox", p + "-", recipients);
        long owner = given().contentType(ContentType.JSON).body(Map.of("email", p + "-owner@example.cz", "lastName", "Owner"))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
        long action = given().contentType(ContentType.JSON).body("""
                {"name":"Bounce mailbox","from":"news@example.cz","subject":"Offer","textBody":"Hello.",
                 "activity":{"create":true,"owner":"FIXED","ownerUserId":%d}}""".formatted(owner)).post("/api/v1/bulk-actions").then()
                .statusCode(201).extract().jsonPath().getLong("id");
        String location = SystemApi.startLaunch(action, list);
        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
        long launchId = done.getLong("id");
        stack.worker.close(); // the reports wait in the mailbox until a worker polls it
        stack.bounceMailbox.purge();
        Map<String, String> returnPaths = new java.util.HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (jakarta.mail.internet.MimeMessage m : stack.smtp.received()) {
                String to = m.getAllRecipients()[0].toString();
                if (to.startsWith(p + "-")) {
                    returnPaths.put(to, m.getHeader("Return-Path")[0].replaceAll("[<>]", ""));
                }
            }
            return returnPaths.size() == recipients;
        });
        returnPaths.forEach((to, path) -> stack.bounceMailbox.deliver(BounceCorpus.fixture("qmail.eml", to, path, "<unknown@x.example>")));
        int reportsBefore = count("SELECT count(*) FROM inbound_report");

        stack.worker = stack.startWorker();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> count("SELECT count(*) FROM inbound_report") >= reportsBefore + 20);
        stack.worker.kill();
        int atKill = count("SELECT count(*) FROM inbound_report") - reportsBefore;
        assertThat(atKill).as("killed mid batch").isLessThan(recipients);
        stack.worker = stack.startWorker();

        await().atMost(Duration.ofSeconds(60)).until(() -> stack.bounceMailbox.folder("INBOX").isEmpty());
        System.out.printf("bounce mailbox SIGKILL report: reports=%d, applied at kill=%d, processed folder=%d%n", recipients, atKill,
                stack.bounceMailbox.folder("Processed").size());
        assertThat(stack.bounceMailbox.folder("Processed")).as("every message moved once").hasSize(recipients);
        assertThat(count("SELECT count(*) FROM inbound_report") - reportsBefore).as("each report stored once").isEqualTo(recipients);
        assertThat(count("SELECT count(*) FROM bounce b JOIN delivery d ON d.id = b.delivery_id WHERE d.launch_id = " + launchId))
                .as("each report applied once, each linked").isEqualTo(recipients);
        JsonPath after = SystemApi.launch(location);
        assertThat(after.getInt("counters.bounced")).isEqualTo(recipients);
        SystemApi.assertCountersMatchRows(launchId);
        assertThat(count("SELECT count(*) FROM suppression WHERE reason = 'HARD_BOUNCE' AND launch_id = " + launchId)).isEqualTo(recipients);

        long activity = given().queryParam("limit", 1).get(location + "/deliveries").then().extract().jsonPath().getLong("items[0].activityId");
        JsonPath a = given().get("/api/v1/activities/{id}", activity).then().statusCode(200).extract().jsonPath();
        assertThat(a.getList("mailOutcomes.outcome")).containsExactly("HARD_BOUNCE");
        assertThat(a.getString("mailOutcomes[0].diagnostic")).contains("5.1.1");
    }

    private static int count(String sql) throws Exception {
        try (Connection c = Stack.shared().postgres.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The MAIL FROM the relay saw in the session that carried this message. */
    private static String returnPathOf(FaultySmtpServer relay, FaultySmtpServer.Accepted m) {
        for (List<String> session : relay.transcripts()) {
            String from = null;
            for (String command : session) {
                if (command.startsWith("MAIL FROM:")) {
                    from = command.substring("MAIL FROM:<".length(), command.indexOf('>'));
                } else if (command.equalsIgnoreCase("RCPT TO:<" + m.recipients().get(0) + ">") && from != null) {
                    return from;
                }
            }
        }
        throw new AssertionError("no MAIL FROM for " + m.recipients());
    }
}
