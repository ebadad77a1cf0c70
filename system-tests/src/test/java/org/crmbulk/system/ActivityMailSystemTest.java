package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * The five mail tasks of an activity in the three OMAILUL modes, on the packaged services, with the
 * codebook edited through a second api-service replica just before each request.
 */
class ActivityMailSystemTest {

    private static final Map<String, String> TASKS = Map.of(
            "orsoft.o.crm.Ohakt.posliMailNaVedomi", "cc",
            "orsoft.o.crm.Ohakt.posliMailKontaktu", "contact",
            "orsoft.o.crm.Ohakt.posliMailZodpovednym", "responsible",
            "orsoft.o.crm.Ohakt.posliMailUcastnikum", "participants",
            "orsoft.o.crm.Ohakt.posliMailUcastnikumAZodpovednym", "participants+responsible");

    private static Stack stack;
    private static String replicaB;
    private static long activity;
    private static Map<String, Set<String>> expected;
    /** The display names the activity gives its people (the owner, Šéf, is also the sender). */
    private static Map<String, String> names;
    private static final byte[] AGENDA = new byte[30_000];

    @BeforeAll
    static void setUp() throws Exception {
        stack = Stack.shared();
        replicaB = stack.secondApi().baseUrl();
        String p = "am" + UUID.randomUUID().toString().substring(0, 6);
        long contact = post("/api/v1/contacts", Map.of("email", p + "-kontakt@example.cz", "firstName", "Jiří", "lastName", "Kontakt"));
        long u1 = post("/api/v1/users", Map.of("email", p + "-boss@example.cz", "lastName", "Šéf"));
        long u2 = post("/api/v1/users", Map.of("email", p + "-deputy@example.cz"));
        long participantContact = post("/api/v1/contacts", Map.of("email", p + "-ucastnik@example.cz", "firstName", "Účastník"));
        Map<String, Object> body = new HashMap<>();
        body.put("type", "MEETING");
        body.put("subject", "Schůzka – příprava nabídky");
        body.put("body", "Dobrý den,\nposílám podklady ke schůzce.\n");
        body.put("contactId", contact);
        body.put("ownerUserId", u1);
        body.put("responsibleUserIds", List.of(u1, u2));
        body.put("participants", List.of(Map.of("contactId", participantContact), Map.of("email", p + "-guest@example.cz", "name", "Host Hostovský"),
                Map.of("userId", u2)));
        body.put("cc", List.of(Map.of("email", p + "-info1@example.cz", "name", "Info"), Map.of("email", p + "-info2@example.cz")));
        activity = post("/api/v1/activities", body);
        new java.util.Random(11).nextBytes(AGENDA);
        given().multiPart("file", "agenda.pdf", AGENDA, "application/pdf").post("/api/v1/activities/{id}/attachments", activity)
                .then().statusCode(201);
        expected = Map.of(
                "cc", Set.of(p + "-info1@example.cz", p + "-info2@example.cz"),
                "contact", Set.of(p + "-kontakt@example.cz"),
                "responsible", Set.of(p + "-boss@example.cz", p + "-deputy@example.cz"),
                "participants", Set.of(p + "-ucastnik@example.cz", p + "-guest@example.cz", p + "-deputy@example.cz"),
                "participants+responsible", Set.of(p + "-ucastnik@example.cz", p + "-guest@example.cz", p + "-deputy@example.cz",
                        p + "-boss@example.cz"));
        names = Map.of(p + "-kontakt@example.cz", "Jiří Kontakt", p + "-boss@example.cz", "Šéf", p + "-ucastnik@example.cz", "Účastník",
                p + "-guest@example.cz", "Host Hostovský", p + "-info1@example.cz", "Info");
    }

    @BeforeEach
    void emptyMailbox() {
        stack.smtp.purge();
    }

    @Test
    void each_task_in_individual_mode_sends_one_message_per_recipient() {
        for (var task : TASKS.entrySet()) {
            setMode(task.getKey(), " ");
            stack.smtp.purge();
            JsonPath job = awaitDone(runTask(task.getKey(), 202));
            Set<String> want = expected.get(task.getValue());
            List<MimeMessage> mails = stack.smtp.received();
            assertThat(mails).as(task.getValue()).hasSize(want.size());
            assertThat(mails).allSatisfy(m -> assertThat(recipients(m, Message.RecipientType.TO)).hasSize(1));
            assertThat(mails.stream().flatMap(m -> recipients(m, Message.RecipientType.TO).stream()).collect(Collectors.toSet()))
                    .isEqualTo(want);
            assertThat(job.getList("recipients.status")).containsOnly("SENT");
            assertThat(job.getString("mode")).isEqualTo("INDIVIDUAL");
            assertThat(job.getString("requestedBy")).as("the caller, from the token").isEqualTo("system-test");
            assertThat(job.getString("label")).isEqualTo("novak");
            assertThat(mails).allSatisfy(m -> assertThat(Mails.attachment(m, "agenda.pdf")).isEqualTo(AGENDA));
            assertThat(mails).allSatisfy(ActivityMailSystemTest::carriesDisplayNames);
        }
    }

    @Test
    void each_task_in_bulk_mode_sends_one_message_to_all_recipients() {
        for (var task : TASKS.entrySet()) {
            setMode(task.getKey(), "0");
            stack.smtp.purge();
            JsonPath job = awaitDone(runTask(task.getKey(), 202));
            Set<String> want = expected.get(task.getValue());
            List<MimeMessage> copies = stack.smtp.received(); // GreenMail keeps one copy per recipient of the one message
            assertThat(copies.stream().map(m -> Mails.header(m, "Message-ID")).distinct()).as("one SMTP message").hasSize(1);
            MimeMessage mail = copies.get(0);
            Set<String> visible = new HashSet<>(recipients(mail, Message.RecipientType.TO));
            visible.addAll(recipients(mail, Message.RecipientType.CC));
            assertThat(visible).as(task.getValue()).isEqualTo(want);
            assertThat(copies).hasSize(want.size());
            assertThat(job.getString("mode")).isEqualTo("BULK");
            assertThat(Mails.attachment(mail, "agenda.pdf")).isEqualTo(AGENDA);
            carriesDisplayNames(mail);
        }
    }

    @Test
    void each_task_in_client_mode_sends_nothing_and_hands_out_a_draft_that_parses_back() throws Exception {
        for (var task : TASKS.entrySet()) {
            setMode(task.getKey(), "1");
            JsonPath draft = runTask(task.getKey(), 200);
            Set<String> want = expected.get(task.getValue());

            assertThat(draft.getString("mode")).isEqualTo("CLIENT");
            List<String> uris = draft.getList("draft.mailto");
            assertThat(uris).hasSize(1);
            Map<String, String> mailto = parseMailto(uris.get(0));
            Set<String> inUri = new HashSet<>(Arrays.asList(mailto.get("to").split(",")));
            if (mailto.containsKey("cc")) {
                inUri.addAll(Arrays.asList(mailto.get("cc").split(",")));
            }
            inUri.remove("");
            assertThat(inUri).as(task.getValue()).isEqualTo(want);
            assertThat(mailto.get("subject")).isEqualTo("Schůzka – příprava nabídky");
            assertThat(mailto.get("body")).isEqualTo("Dobrý den,\r\nposílám podklady ke schůzce.\r\n");

            byte[] eml = given().get(draft.getString("draft.eml")).then().statusCode(200).extract().asByteArray();
            MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(eml));
            assertThat(parsed.getHeader("X-Unsent", null)).isEqualTo("1");
            assertThat(parsed.getSubject()).isEqualTo("Schůzka – příprava nabídky");
            Set<String> inEml = new HashSet<>(recipients(parsed, Message.RecipientType.TO));
            inEml.addAll(recipients(parsed, Message.RecipientType.CC));
            assertThat(inEml).isEqualTo(want);
            assertThat(Mails.attachment(parsed, "agenda.pdf")).as("the draft carries the attachments").isEqualTo(AGENDA);
        }
        JsonPath log = given().get("/api/v1/activities/{id}/mail-jobs", activity).then().statusCode(200).extract().jsonPath();
        assertThat(log.getList("findAll { it.mode == 'CLIENT' }.status")).hasSize(TASKS.size()).containsOnly("DRAFTED");
        assertThat(log.getList("findAll { it.mode == 'CLIENT' }.recipients.flatten().status")).as("no recipient ever queued")
                .containsOnly("DRAFTED");
        // Drafts are never handed to the worker; a job that is, run after them, brings the only mail.
        setMode("orsoft.o.crm.Ohakt.posliMailKontaktu", " ");
        awaitDone(runTask("orsoft.o.crm.Ohakt.posliMailKontaktu", 202));
        assertThat(stack.smtp.received()).as("only the queued job's mail; nothing for the drafts")
                .extracting(m -> recipients(m, Message.RecipientType.TO).get(0)).containsExactlyElementsOf(expected.get("contact"));
    }

    @Test
    void invalid_omailul_writes_are_refused_and_change_nothing() {
        String key = "orsoft.o.crm.Ohakt.posliMailKontaktu";
        setMode(key, "1");
        int audits = given().get(replicaB + "/api/v1/codebooks/OMAILUL/audit").then().extract().jsonPath().getList("$").size();

        given().contentType(ContentType.JSON).body(Map.of("value", "2")).put(replicaB + "/api/v1/codebooks/OMAILUL/entries/" + key)
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", org.hamcrest.Matchers.equalTo("value"));
        given().contentType(ContentType.JSON).body(Map.of("value", "0")).put(replicaB + "/api/v1/codebooks/OMAILUL/entries/orsoft.o.crm.Ohakt.posliMail")
                .then().statusCode(400).body("errors[0].field", org.hamcrest.Matchers.equalTo("key"))
                .body("errors[0].reason", org.hamcrest.Matchers.containsString("posliMailUcastnikumAZodpovednym"));

        given().get("/api/v1/codebooks/OMAILUL/entries/" + key).then().body("value", org.hamcrest.Matchers.equalTo("1"));
        assertThat(given().get("/api/v1/codebooks/OMAILUL/audit").then().extract().jsonPath().getList("$")).hasSize(audits);
    }

    /** Written through replica B; the next request goes to replica A (RestAssured's base URI). */
    private static void setMode(String taskId, String value) {
        given().contentType(ContentType.JSON).body(Map.of("value", value))
                .put(replicaB + "/api/v1/codebooks/OMAILUL/entries/" + taskId).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    private static JsonPath runTask(String taskId, int status) {
        return given().contentType(ContentType.JSON).body(Map.of("task", taskId, "label", "novak"))
                .post("/api/v1/activities/{id}/mail-tasks", activity).then().statusCode(status).extract().jsonPath();
    }

    private static JsonPath awaitDone(JsonPath job) {
        String location = "/api/v1/activities/" + activity + "/mail-jobs/" + job.getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get(location).then().extract().jsonPath().getString("status")
                .startsWith("DONE"));
        return given().get(location).then().extract().jsonPath();
    }

    private static Map<String, String> parseMailto(String uri) {
        assertThat(uri).startsWith("mailto:");
        String rest = uri.substring("mailto:".length());
        int q = rest.indexOf('?');
        Map<String, String> fields = new HashMap<>();
        fields.put("to", decode(q < 0 ? rest : rest.substring(0, q)));
        if (q >= 0) {
            Stream.of(rest.substring(q + 1).split("&")).map(f -> f.split("=", 2)).forEach(f -> fields.put(f[0], decode(f[1])));
        }
        return fields;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static long post(String path, Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post(path).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** Every named person appears with their name (RFC 2047 in the headers), the sender too: as the .eml draft keeps them. */
    private static void carriesDisplayNames(MimeMessage m) {
        try {
            jakarta.mail.internet.InternetAddress from = (jakarta.mail.internet.InternetAddress) m.getFrom()[0];
            assertThat(from.getPersonal()).as("sender's name").isEqualTo("Šéf");
            for (Message.RecipientType type : List.of(Message.RecipientType.TO, Message.RecipientType.CC)) {
                Address[] addresses = m.getRecipients(type);
                for (Address a : addresses == null ? new Address[0] : addresses) {
                    jakarta.mail.internet.InternetAddress ia = (jakarta.mail.internet.InternetAddress) a;
                    String name = names.get(ia.getAddress().toLowerCase());
                    if (name != null) {
                        assertThat(ia.getPersonal()).as("name of " + ia.getAddress()).isEqualTo(name);
                    }
                }
            }
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> recipients(MimeMessage m, Message.RecipientType type) {
        try {
            Address[] addresses = m.getRecipients(type);
            return addresses == null ? List.of()
                    : Stream.of(addresses).map(a -> ((jakarta.mail.internet.InternetAddress) a).getAddress().toLowerCase()).toList();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
