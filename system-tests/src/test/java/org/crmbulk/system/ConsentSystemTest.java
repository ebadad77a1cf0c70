package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A recipient leaves a campaign: each message carries List-Unsubscribe, List-Unsubscribe-Post and List-Id and a
 * visible opt-out (read by Python's email package, not by our code); one-click POSTed exactly as a mailbox provider
 * does it is honoured within a second; the next launch skips the address; a scanner's GET unsubscribes nobody; an
 * unsubscribe that arrives mid-launch stops the rest of that launch for the address.
 */
class ConsentSystemTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @AfterEach
    void restoreTheWorker() throws Exception {
        Stack.shared().restoreWorker();
    }

    @Test
    void a_campaign_message_lets_its_recipient_leave_in_one_click_and_the_next_launch_skips_them() throws Exception {
        Stack stack = Stack.shared();
        String p = "cs" + UUID.randomUUID().toString().substring(0, 6);
        List<String> emails = List.of(p + "-eva@example.cz", p + "-jan@example.cz", p + "-ann@example.cz");
        long list = list("Jarní novinky", emails, Map.of(emails.get(0), "cs"));
        long action = given().contentType(ContentType.JSON).body(Map.of("name", "Jarní akce", "from", "news@example.cz",
                "subject", "Hi {contact.firstName}", "htmlBody", "<html><body><p>Hello {contact.firstName}</p></body></html>"))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        JsonPath first = SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60));
        assertThat(first.getInt("counters.sent")).isEqualTo(3);

        Map<String, JsonPath> parsed = new java.util.HashMap<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (byte[] raw : stack.smtp.rawMessages().get()) {
                if (!new String(raw, StandardCharsets.ISO_8859_1).contains(p)) {
                    continue; // another test's message: not worth a Python process each poll
                }
                JsonPath m = pythonParsed(raw);
                if (emails.contains(m.getString("to").toLowerCase())) {
                    parsed.put(m.getString("to").toLowerCase(), m);
                }
            }
            return parsed.size() == 3;
        });
        for (String email : emails) {
            JsonPath m = parsed.get(email);
            String header = m.getString("listUnsubscribe").replaceAll("\\r?\\n[ \\t]+", " "); // unfolded
            assertThat(header).as(email).matches("<" + java.util.regex.Pattern.quote(stack.api.baseUrl()) + "/u/sys\\.[A-Za-z0-9_-]{32}>, "
                    + "<mailto:bounces\\+unsubscribe-[0-9a-f]{36}@" + java.util.regex.Pattern.quote(Stack.BOUNCE_DOMAIN) + "\\?subject=unsubscribe>");
            String url = link(m);
            assertThat(m.getString("listUnsubscribePost")).isEqualTo("List-Unsubscribe=One-Click");
            assertThat(m.getString("listId")).isEqualTo("Jarní akce <ba" + action + ".example.cz>");
            assertThat(m.getString("text")).as("the visible opt-out in the text part").contains(url);
            assertThat(m.getString("html")).as("and in the HTML part, inside its body").contains("<a href=\"" + url + "\">")
                    .endsWith("</p></body></html>");
        }
        assertThat(parsed.get(emails.get(0)).getString("text")).contains("Odhlaste se");
        assertThat(parsed.get(emails.get(1)).getString("text")).contains("Unsubscribe:");

        // A link scanner GETs every link, twice: nobody leaves.
        for (String email : emails) {
            String url = link(parsed.get(email));
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
        }
        assertThat(contact(emails.get(1)).getBoolean("optedOut")).isFalse();

        // Jan presses "Unsubscribe" in his mailbox: the provider POSTs the header's URL, no cookie, no token.
        long asked = System.nanoTime();
        HttpResponse<String> leave = HTTP.send(HttpRequest.newBuilder(URI.create(link(parsed.get(emails.get(1)))))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(leave.statusCode()).isEqualTo(200);
        assertThat(leave.headers().firstValue("Set-Cookie")).isEmpty();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(50)).until(() -> contact(emails.get(1)).getBoolean("optedOut"));
        System.out.printf("one-click honoured in %d ms%n", (System.nanoTime() - asked) / 1_000_000);

        // The next launch over the same list skips him, with the reason, and sends him nothing.
        stack.smtp.purge();
        JsonPath second = SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60));
        assertThat(second.getInt("counters.sent")).isEqualTo(2);
        assertThat(second.getInt("counters.skipped")).isEqualTo(1);
        assertThat(deliveries(second.getLong("id"))).filteredOn(d -> d.get("email").equals(emails.get(1)))
                .singleElement().satisfies(d -> assertThat((String) d.get("lastReply")).startsWith("skipped: contact opted out"));
        SystemApi.assertCountersMatchRows(second.getLong("id"));
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.smtp.received().size() >= 2);
        assertThat(stack.smtp.received().stream().map(Mails::recipient)).doesNotContain(emails.get(1));
    }

    @Test
    void an_unsubscribe_that_arrives_mid_launch_stops_the_rest_of_that_launch_for_the_address() throws Exception {
        Stack stack = Stack.shared();
        SlowLaunch running = slowLaunch("mid");
        String location = running.location();
        long launch = running.id();

        // The last recipient leaves through its own link (the token the worker puts in its message) while it is queued.
        String last = running.emails().get(29);
        Map<String, Object> lastDelivery = deliveries(launch).stream().filter(d -> d.get("email").equals(last)).findFirst().orElseThrow();
        assertThat(lastDelivery.get("status")).isEqualTo("PENDING");
        String token = UnsubscribeTokens.parse(stack.unsubscribeKeys).sign(((Number) lastDelivery.get("id")).longValue());
        assertThat(oneClick(stack.api.baseUrl() + "/u/" + token).statusCode()).isEqualTo(200);

        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(60));
        assertThat(done.getInt("counters.sent")).isEqualTo(29);
        assertThat(done.getInt("counters.skipped")).isEqualTo(1);
        assertThat(deliveries(launch)).filteredOn(d -> d.get("email").equals(last)).singleElement()
                .satisfies(d -> assertThat((String) d.get("lastReply")).startsWith("skipped: contact opted out"));
        SystemApi.assertCountersMatchRows(launch);
        assertThat(stack.smtp.received().stream().map(Mails::recipient)).doesNotContain(last);
    }

    @Test
    void the_worker_killed_around_an_unsubscribe_loses_nothing() throws Exception {
        Stack stack = Stack.shared();
        SlowLaunch running = slowLaunch("kill");
        List<String> emails = running.emails();
        String location = running.location();
        long launch = running.id();
        String p = running.prefix();

        // One recipient leaves just before the worker is killed, another while no worker runs; a new worker takes over.
        UnsubscribeTokens tokens = UnsubscribeTokens.parse(stack.unsubscribeKeys);
        Map<String, Long> ids = deliveries(launch).stream().collect(Collectors.toMap(d -> (String) d.get("email"),
                d -> ((Number) d.get("id")).longValue()));
        String before = emails.get(28);
        String during = emails.get(29);
        assertThat(oneClick(stack.api.baseUrl() + "/u/" + tokens.sign(ids.get(before))).statusCode()).isEqualTo(200);
        stack.worker.kill();
        assertThat(oneClick(stack.api.baseUrl() + "/u/" + tokens.sign(ids.get(during))).statusCode()).isEqualTo(200);
        stack.replaceWorker(SLOW);

        JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(90));
        assertThat(done.getInt("counters.sent")).isEqualTo(28);
        assertThat(done.getInt("counters.skipped")).isEqualTo(2);
        assertThat(deliveries(launch)).filteredOn(d -> d.get("email").equals(before) || d.get("email").equals(during)).hasSize(2)
                .allSatisfy(d -> assertThat((String) d.get("lastReply")).startsWith("skipped: contact opted out"));
        SystemApi.assertCountersMatchRows(launch);
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.smtp.received().stream().map(Mails::recipient)
                .filter(r -> r.startsWith(p)).distinct().count() == 28);
        assertThat(stack.smtp.received().stream().map(Mails::recipient)).doesNotContain(before, during);
        // Both acts are on record with the delivery they came through, whatever the worker was doing.
        try (var c = stack.postgres.connect(); var rs = c.createStatement().executeQuery("""
                SELECT count(*) FROM consent_event WHERE action = 'SUPPRESSED' AND delivery_id IN (%d, %d)""".formatted(ids.get(before),
                ids.get(during)))) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void an_erased_person_leaves_no_trace_and_a_list_that_names_their_address_again_skips_it() throws Exception {
        Stack stack = Stack.shared();
        String p = "er" + UUID.randomUUID().toString().substring(0, 6);
        List<String> emails = List.of(p + "-erin@example.cz", p + "-otto@example.cz");
        long list = list("Erasure", emails, Map.of());
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello {contact.email}");
        JsonPath first = SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60));
        assertThat(first.getInt("counters.sent")).isEqualTo(2);
        String erin = emails.get(0);
        try (var c = stack.postgres.connect()) {
            assertThat(org.crmbulk.testing.Traces.of(c, erin)).as("the launch wrote the address down").isNotEmpty();
        }

        given().contentType(ContentType.JSON).body(Map.of("contactId", contact(erin).getLong("id"), "reason", "GDPR request"))
                .post("/api/v1/erasures").then().statusCode(201);
        try (var c = stack.postgres.connect()) {
            assertThat(org.crmbulk.testing.Traces.of(c, erin)).as("columns that still name the address").isEmpty();
        }
        SystemApi.assertCountersMatchRows(first.getLong("id"));

        // The ERP syncs its list again, with the address in it: the next launch skips it, and sends it nothing.
        stack.smtp.purge();
        long list2 = list("Erasure again", emails, Map.of());
        JsonPath second = SystemApi.awaitFinal(SystemApi.startLaunch(action, list2), Duration.ofSeconds(60));
        assertThat(second.getInt("counters.sent")).isEqualTo(1);
        assertThat(deliveries(second.getLong("id"))).filteredOn(d -> d.get("email").equals(erin)).singleElement()
                .satisfies(d -> assertThat((String) d.get("lastReply")).isEqualTo("skipped: suppressed (ERASED, all marketing mail)"));
        SystemApi.assertCountersMatchRows(second.getLong("id"));
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.smtp.received().size() >= 1);
        assertThat(stack.smtp.received().stream().map(Mails::recipient)).doesNotContain(erin);
    }

    /** Two messages a batch, five a second: a launch of 30 takes six seconds, time to act in its middle. */
    private static final Map<String, String> SLOW = Map.of("CRM_DELIVERY_BATCH_SIZE", "2", "CRM_RATE_PER_SECOND", "5");

    private record SlowLaunch(String prefix, List<String> emails, String location, long id) {
    }

    /** A launch to {p}-00@example.cz ... {p}-29@example.cz by a SLOW worker, once it has sent its first messages. */
    private static SlowLaunch slowLaunch(String name) throws Exception {
        Stack.shared().replaceWorker(SLOW);
        String p = name + UUID.randomUUID().toString().substring(0, 6);
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            emails.add(String.format("%s-%02d@example.cz", p, i));
        }
        String location = SystemApi.startLaunch(SystemApi.textBulkAction("Hi", "Body"), list(name, emails, Map.of()));
        await().atMost(Duration.ofSeconds(30)).until(() -> SystemApi.launch(location).getInt("counters.sent") >= 2);
        return new SlowLaunch(p, emails, location, SystemApi.launch(location).getLong("id"));
    }

    private static HttpResponse<String> oneClick(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void every_public_page_is_valid_html_in_both_languages_and_needs_no_script() throws Exception {
        Stack stack = Stack.shared();
        String p = "html" + UUID.randomUUID().toString().substring(0, 6);
        List<String> emails = List.of(p + "-cs@example.cz", p + "-en@example.cz");
        long list = list("Seznam <b>&\"x\"</b>", emails, Map.of(emails.get(0), "cs"));
        String location = SystemApi.startLaunch(SystemApi.textBulkAction("Hi", "Body"), list);
        long launch = SystemApi.awaitFinal(location, Duration.ofSeconds(60)).getLong("id");
        UnsubscribeTokens tokens = UnsubscribeTokens.parse(stack.unsubscribeKeys);
        List<String> pages = new ArrayList<>();
        for (Map<String, Object> d : deliveries(launch)) {
            String url = stack.api.baseUrl() + "/u/" + tokens.sign(((Number) d.get("id")).longValue());
            pages.add(HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            pages.add(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("scope=nonsense")).build(), HttpResponse.BodyHandlers.ofString()).body());
            pages.add(HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("scope=LISTS")).build(), HttpResponse.BodyHandlers.ofString()).body());
        }
        pages.add(HTTP.send(HttpRequest.newBuilder(URI.create(stack.api.baseUrl() + "/u/forged.AAAA")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(pages).anyMatch(page -> page.contains("lang=\"cs\"")).anyMatch(page -> page.contains("lang=\"en\""));
        assertThat(pages).allSatisfy(page -> assertThat(page).doesNotContainIgnoringCase("<script"));
        assertThat(HtmlChecker.errors(pages)).as("the checker's errors").isEmpty();
        assertThat(HtmlChecker.errors(List.of(pages.get(0), "<!DOCTYPE html><html lang=\"en\"><head><title>x</title></head><body><p><div></p>"
                + "</body></html>"))).as("and it finds them where there are some").isNotEmpty();
    }

    /** The one-click link: the first entry of List-Unsubscribe (the mailto: one follows it). */
    private static String link(JsonPath parsed) {
        String header = parsed.getString("listUnsubscribe");
        return header.substring(1, header.indexOf('>'));
    }

    private static JsonPath contact(String email) {
        return given().queryParam("email", email).get("/api/v1/contacts").then().statusCode(200).extract().jsonPath()
                .setRootPath("items[0]");
    }

    private static List<Map<String, Object>> deliveries(long launch) {
        return given().queryParam("limit", 1000).get("/api/v1/launches/{id}/deliveries", launch).then().statusCode(200).extract()
                .jsonPath().getList("items");
    }

    private static long list(String name, List<String> emails, Map<String, String> languages) {
        long list = given().contentType(ContentType.JSON).body(Map.of("name", name)).post("/api/v1/lists").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        String csv = "email,firstName,language\n" + emails.stream().map(e -> e + ",X," + languages.getOrDefault(e, "en"))
                .collect(Collectors.joining("\n")) + "\n";
        given().contentType("text/csv; charset=UTF-8").body(csv).queryParam("listId", list).post("/api/v1/contacts/import").then()
                .statusCode(200);
        return list;
    }

    /** The message as Python's email package reads it (policy.default: headers decoded, parts decoded). */
    private static JsonPath pythonParsed(byte[] raw) throws Exception {
        Process python = new ProcessBuilder("python3", "-c", """
                import sys, json, email
                from email import policy
                m = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.default)
                def part(kind):
                    b = m.get_body(preferencelist=(kind,))
                    return b.get_content() if b is not None else None
                print(json.dumps({"to": str(m["To"]), "listUnsubscribe": str(m["List-Unsubscribe"]),
                                  "listUnsubscribePost": str(m["List-Unsubscribe-Post"]), "listId": str(m["List-Id"]),
                                  "text": part("plain"), "html": part("html")}))
                """).redirectErrorStream(true).start();
        python.getOutputStream().write(raw);
        python.getOutputStream().close();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(out).isZero();
        return JsonPath.from(out);
    }
}
