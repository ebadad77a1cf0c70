package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.crmbulk.testing.ScriptedSmtpRelay;
import org.crmbulk.testing.ScriptedSmtpRelay.Phase;
import org.crmbulk.testing.ScriptedSmtpRelay.Rcpt;
import org.crmbulk.testing.ScriptedSmtpRelay.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * SMTP as real relays speak it, in BULK mail tasks and in campaign launches, each checked on the relay's own
 * record: a recipient refused at RCPT while the others take the message, a recipient limit per transaction, a
 * limit on concurrent sessions, a final reply that comes late (waited for), one that never comes in time
 * (resent and counted), and a message larger than the relay takes. Every recipient is accepted exactly once or
 * failed with its own reply; extra copies are never more than the possible duplicates counted.
 */
class RelayBehavioursSystemTest {

    private static final String PARTICIPANTS = "orsoft.o.crm.Ohakt.posliMailUcastnikum";

    private Stack stack;
    private ScriptedSmtpRelay relay;

    @BeforeEach
    void sharedStack() throws Exception {
        stack = Stack.shared();
    }

    @AfterEach
    void restoreTheWorker() throws Exception {
        stack.restoreWorker();
        if (relay != null) {
            relay.close();
        }
    }

    private void workerOn(ScriptedSmtpRelay relay, Map<String, String> settings) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()),
                "MAIL_DELIVERY_RETRY_DELAY", "300ms", "MAIL_DELIVERY_MAX_RETRY_DELAY", "600ms", "MAIL_RELAY_SESSION_REGROWTH", "2s"));
        env.putAll(settings);
        stack.replaceWorker(env);
    }

    @Test
    void refused_recipients_a_recipient_limit_a_session_limit_and_a_slow_final_reply_lose_no_one_and_send_no_one_twice() throws Exception {
        String p = "rb" + UUID.randomUUID().toString().substring(0, 5);
        String unknown = p + "-unknown@example.cz";
        String busy = p + "-busy@example.cz";
        String slow = p + "-slow@example.cz";
        relay = new ScriptedSmtpRelay().maxRecipientsPerTransaction(10).maxConnections(2).sizeLimit(10_000_000)
                .answer(Phase.RCPT, unknown, "550 5.1.1 <" + unknown + ">: Recipient address rejected: User unknown", 1_000)
                .answer(Phase.RCPT, busy, "450 4.2.1 <" + busy + ">: Mailbox busy, try later", 1)
                .answer(Phase.RCPT, p + "-lbusy@example.cz", "450 4.2.1 Mailbox busy, try later", 1)
                .answer(Phase.RCPT, p + "-lunknown@example.cz", "550 5.1.1 User unknown", 1_000)
                .delayFinalReply(slow, Duration.ofSeconds(4), 1)
                .delayFinalReply(p + "-lslow@example.cz", Duration.ofSeconds(4), 1);
        // Replies other than the final one must come within 1 s; the final one may take RFC 5321's 10 minutes.
        workerOn(relay, Map.of("CRM_SMTP_TIMEOUT", "1s"));

        // BULK: one mail task to 50 participants, one of them unknown and one busy once; a slow final reply once.
        SystemApi.setMailMode(PARTICIPANTS, "0");
        List<String> participants = new ArrayList<>(IntStream.range(0, 47).mapToObj(i -> p + "-m" + i + "@example.cz").toList());
        participants.addAll(List.of(unknown, busy, slow));
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(participants));
        // A launch of 60 over the same relay, sending beside the mail task through the same two sessions.
        List<String> contacts = new ArrayList<>(IntStream.range(0, 57).mapToObj(i -> p + "-l" + i + "@example.cz").toList());
        contacts.addAll(List.of(p + "-lunknown@example.cz", p + "-lbusy@example.cz", p + "-lslow@example.cz"));
        String launch = launch(contacts);

        await().atMost(Duration.ofSeconds(90)).until(() -> given().get(job).then().extract().jsonPath().getString("status").startsWith("DONE"));
        JsonPath done = SystemApi.awaitFinal(launch, Duration.ofSeconds(90));

        // The mail task: everyone but the unknown one got it exactly once; the unknown one failed with its own reply.
        JsonPath mail = given().get(job).then().extract().jsonPath();
        Map<String, Map<String, Object>> byAddress = mail.<Map<String, Object>>getList("recipients").stream()
                .collect(Collectors.toMap(r -> (String) r.get("email"), r -> r));
        assertThat(byAddress.get(unknown).get("status")).isEqualTo("FAILED");
        assertThat((String) byAddress.get(unknown).get("reply")).startsWith("550 5.1.1").contains(unknown);
        assertThat(byAddress.values().stream().filter(r -> !r.get("email").equals(unknown))).allSatisfy(r -> {
            assertThat(r.get("status")).as((String) r.get("email")).isEqualTo("SENT");
            assertThat(r.get("possibleDuplicate")).isEqualTo(false);
        });
        assertThat(mail.getString("status")).isEqualTo("DONE_WITH_ERRORS");
        // The busy one was retried alone: every transaction after its 450 names it only, never anyone already accepted.
        List<Transaction> withBusy = relay.transactions().stream().filter(t -> names(t, busy)).toList();
        int refusedAt = IntStream.range(0, withBusy.size()).filter(i -> withBusy.get(i).rcpts().stream()
                .anyMatch(r -> r.address().equals(busy) && r.reply().startsWith("450"))).findFirst().orElseThrow();
        assertThat(withBusy.subList(refusedAt + 1, withBusy.size())).isNotEmpty()
                .allSatisfy(t -> assertThat(t.rcpts()).extracting(Rcpt::address).containsExactly(busy));

        // The launch: the same for its contacts, one message each.
        assertThat(done.getString("status")).isEqualTo("COMPLETED_WITH_ERRORS");
        assertThat(done.getInt("counters.sent")).isEqualTo(59);
        assertThat(done.getInt("counters.failed")).isEqualTo(1);
        assertThat(done.getInt("possibleDuplicates")).isZero();
        SystemApi.assertCountersMatchRows(done.getLong("id"));

        // On the relay's own record: each recipient accepted exactly once, the unknown ones never.
        Map<String, Integer> copies = relay.copies();
        for (String r : participants) {
            assertThat(copies.getOrDefault(r, 0)).as(r).isEqualTo(r.equals(unknown) ? 0 : 1);
        }
        for (String r : contacts) {
            assertThat(copies.getOrDefault(r, 0)).as(r).isEqualTo(r.endsWith("-lunknown@example.cz") ? 0 : 1);
        }
        // The recipient limit was learned: no transaction took more than 10, and the BULK message went in at least 5.
        assertThat(relay.transactions()).allSatisfy(t -> assertThat(t.rcpts().stream().filter(Rcpt::accepted).count()).isLessThanOrEqualTo(10));
        assertThat(relay.transactions().stream().filter(t -> t.dotReceived() && t.delivered().stream().anyMatch(r -> r.contains("-m")))).hasSizeGreaterThanOrEqualTo(5);
        // The session limit held the worker back without failing anyone: at most two sessions, the rest refused.
        assertThat(relay.peakConnections()).isLessThanOrEqualTo(2);
        assertThat(relay.refusedConnections()).as("the worker met the limit").isPositive();
        // Every message declared its size (RFC 1870).
        assertThat(relay.transactions()).allSatisfy(t -> assertThat(t.mailParameters()).matches(".*SIZE=\\d+.*"));
    }

    @Test
    void a_final_reply_that_never_comes_in_time_is_resent_and_counted_and_a_message_too_large_is_failed_before_sending() throws Exception {
        String p = "rn" + UUID.randomUUID().toString().substring(0, 5);
        String late = p + "-late@example.cz";
        String lateContact = p + "-llate@example.cz";
        relay = new ScriptedSmtpRelay().sizeLimit(600_000)
                .delayFinalReply(late, Duration.ofSeconds(4), 1)
                .delayFinalReply(lateContact, Duration.ofSeconds(4), 1);
        workerOn(relay, Map.of("CRM_SMTP_DATA_END_TIMEOUT", "1s"));

        SystemApi.setMailMode(PARTICIPANTS, "0");
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(List.of(late, p + "-other@example.cz")));
        String launch = launch(List.of(lateContact, p + "-l1@example.cz", p + "-l2@example.cz"));

        await().atMost(Duration.ofSeconds(60)).until(() -> given().get(job).then().extract().jsonPath().getString("status").startsWith("DONE"));
        JsonPath done = SystemApi.awaitFinal(launch, Duration.ofSeconds(60));

        // The relay got the late ones twice: the first copy it keeps although its reply found no one (recorded once its
        // delay is over), the resend; each counted.
        await().atMost(Duration.ofSeconds(15)).until(() -> relay.copies().getOrDefault(lateContact, 0) == 2
                && relay.copies().getOrDefault(late, 0) == 2);
        Map<String, Integer> copies = relay.copies();
        assertThat(copies.get(lateContact)).isEqualTo(2);
        assertThat(done.getInt("possibleDuplicates")).isGreaterThanOrEqualTo(copies.get(lateContact) - 1);
        JsonPath mail = given().get(job).then().extract().jsonPath();
        assertThat(copies.get(late)).isEqualTo(2);
        assertThat(mail.getList("recipients.possibleDuplicate", Boolean.class)).containsOnly(true); // one BULK message to both
        assertThat(mail.getList("recipients.status", String.class)).containsOnly("SENT");
        SystemApi.assertCountersMatchRows(done.getLong("id"));

        // A launch whose message is larger than the relay takes fails at once with the reason, and sends nothing.
        String big = p + "-big@example.cz";
        long action = given().contentType(ContentType.JSON).body(Map.of("name", "Big", "from", "news@example.cz", "subject", "Big",
                "textBody", "x".repeat(700_000))).post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        JsonPath tooBig = SystemApi.awaitFinal(given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", action, "listIds", List.of(list(List.of(big))))).post("/api/v1/launches").then()
                .statusCode(202).extract().header("Location"), Duration.ofSeconds(60));
        assertThat(tooBig.getInt("counters.failed")).isEqualTo(1);
        String reply = given().get("/api/v1/launches/{id}/deliveries", tooBig.getLong("id")).then().extract().jsonPath().getString("items[0].lastReply");
        assertThat(reply).startsWith("552 5.3.4").contains("not sent");
        assertThat(relay.transactions()).noneMatch(t -> names(t, big));
    }

    private static boolean names(Transaction t, String recipient) {
        return t.rcpts().stream().anyMatch(r -> r.address().equals(recipient));
    }

    private static String launch(List<String> emails) {
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello.");
        return given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list(emails))))
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
    }

    private static long list(List<String> emails) {
        long list = given().contentType(ContentType.JSON).body(Map.of("name", "relay behaviours")).post("/api/v1/lists").then()
                .statusCode(201).extract().jsonPath().getLong("id");
        String csv = "email,firstName\n" + emails.stream().map(e -> e + ",X").collect(Collectors.joining("\n")) + "\n";
        given().contentType("text/csv; charset=UTF-8").body(csv).queryParam("listId", list).post("/api/v1/contacts/import").then()
                .statusCode(200);
        return list;
    }
}
