package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.testing.Mailbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;

/** The worker, fed a send job over real Kafka, delivers over real SMTP and records it in real PostgreSQL. */
@QuarkusTest
class LaunchDeliveryTest {

    @BeforeEach
    void emptyMailbox() {
        Mailbox.purge();
    }

    @Test
    void a_launch_over_two_overlapping_lists_sends_each_address_once_personalized() throws Exception {
        long jana = Fixtures.contact("jana@one.example.cz", "Jana", false);
        long petr = Fixtures.contact("petr@one.example.cz", "Petr", false);
        long janaAgain = Fixtures.contact("JANA@one.example.cz", "Jana", false);
        long list1 = Fixtures.list("A", jana, petr);
        long list2 = Fixtures.list("B", petr, janaAgain);
        long action = Fixtures.bulkAction("Hello {contact.firstName}", "Dear {contact.firstName}, {contact.custom.city}!");
        long launch = Fixtures.queuedLaunch(action, list1, list2);

        Fixtures.publish(SendJobV1.launch(launch));

        awaitStatus(launch, "COMPLETED");
        List<MimeMessage> mails = Mailbox.messages();
        assertThat(mails).hasSize(2);
        assertThat(mails).extracting(MimeMessage::getSubject).containsExactlyInAnyOrder("Hello Jana", "Hello Petr");
        MimeMessage toPetr = mails.stream().filter(m -> subject(m).equals("Hello Petr")).findFirst().orElseThrow();
        assertThat(toPetr.getRecipients(Message.RecipientType.TO)[0].toString()).isEqualTo("petr@one.example.cz");
        // The campaign message's own way out: its link in the headers and, as the template shows none, in a footer.
        String header = jakarta.mail.internet.MimeUtility.unfold(toPetr.getHeader("List-Unsubscribe")[0]);
        assertThat(header).as("the one-click link, then the mailto: address on the bounce domain")
                .matches("<http://localhost:8080/u/test\\.[A-Za-z0-9_-]{32}>, <mailto:bounces\\+unsubscribe-[0-9a-f]{36}@bounces\\.shop\\.example\\.cz\\?subject=unsubscribe>");
        String link = header.substring(0, header.indexOf('>') + 1);
        assertThat(toPetr.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(toPetr.getHeader("List-Id")[0]).endsWith("<ba" + action + ".shop.example.cz>");
        assertThat(((String) toPetr.getContent()).trim()).startsWith("Dear Petr, !").endsWith("Unsubscribe: " + link.substring(1, link.length() - 1));

        List<Map<String, Object>> rows = Fixtures.deliveries(launch);
        assertThat(rows).hasSize(2).allSatisfy(d -> assertThat(d.get("status")).isEqualTo("SENT"));
        assertThat(mails).extracting(m -> m.getHeader("Message-ID")[0])
                .containsExactlyInAnyOrderElementsOf(rows.stream().map(d -> (String) d.get("message_id")).toList());
        assertCountersMatchRows(launch);
    }

    @Test
    void a_launch_that_makes_activities_gets_one_done_activity_per_sent_delivery_linked_both_ways_and_none_for_a_skipped_one() throws Exception {
        long sent1 = Fixtures.contact("act1@act.example.cz", "Eva", false);
        long sent2 = Fixtures.contact("act2@act.example.cz", "Ota", false);
        long out = Fixtures.contact("act3@act.example.cz", "Out", true);
        long action = Fixtures.bulkAction("Offer for {contact.firstName}", "Body");
        Fixtures.update("UPDATE bulk_action_version SET create_activity = true, activity_type = 'EMAIL' WHERE bulk_action_id = ?", action);
        long launch = Fixtures.queuedLaunch(action, Fixtures.list("Act", sent1, sent2, out));

        Fixtures.publish(SendJobV1.launch(launch));

        awaitStatus(launch, "COMPLETED");
        List<Map<String, Object>> rows = Fixtures.rows("""
                SELECT d.email, d.status, d.contact_id AS delivery_contact, a.id AS activity, a.delivery_id, a.contact_id, a.subject,
                       a.status AS activity_status, a.type, a.launch_id
                FROM delivery d LEFT JOIN activity a ON a.id = d.activity_id WHERE d.launch_id = ? ORDER BY d.email""", launch);
        assertThat(rows).hasSize(3);
        assertThat(rows.subList(0, 2)).allSatisfy(r -> {
            assertThat(r.get("status")).isEqualTo("SENT");
            assertThat(r.get("activity")).isNotNull();
            assertThat(r.get("delivery_id")).as("the activity names its delivery").isNotNull();
            assertThat(r.get("contact_id")).isEqualTo(r.get("delivery_contact"));
            assertThat(r.get("activity_status")).isEqualTo("DONE");
            assertThat(r.get("type")).isEqualTo("EMAIL");
            assertThat(((Number) r.get("launch_id")).longValue()).isEqualTo(launch);
        });
        assertThat(rows).extracting(r -> r.get("subject")).containsExactly("Offer for Eva", "Offer for Ota", null);
        assertThat(rows.get(2).get("status")).isEqualTo("SKIPPED");
        assertThat(Fixtures.rows("SELECT count(*) AS n FROM activity WHERE launch_id = ?", launch).get(0).get("n")).isEqualTo(2L);
        assertCountersMatchRows(launch);
    }

    @Test
    void opted_out_contacts_are_skipped_with_the_reason_recorded() throws Exception {
        long in = Fixtures.contact("in@two.example.cz", "In", false);
        long out = Fixtures.contact("out@two.example.cz", "Out", true);
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("News", "Body"), Fixtures.list("C", in, out));

        Fixtures.publish(SendJobV1.launch(launch));

        awaitStatus(launch, "COMPLETED");
        assertThat(Mailbox.messages()).hasSize(1);
        Map<String, Object> skipped = Fixtures.rows("SELECT * FROM delivery WHERE launch_id = ? AND status = 'SKIPPED'", launch).get(0);
        assertThat(skipped.get("email")).isEqualTo("out@two.example.cz");
        assertThat((String) skipped.get("last_reply")).contains("opted out");
        assertCountersMatchRows(launch);
    }

    @Test
    void suppressed_addresses_are_skipped_with_the_reason_for_all_mail_or_for_the_launchs_own_lists_only() throws Exception {
        long all = Fixtures.contact("all@sup.example.cz", "All", false);
        long here = Fixtures.contact("here@sup.example.cz", "Here", false);
        long elsewhere = Fixtures.contact("elsewhere@sup.example.cz", "Elsewhere", false);
        long list = Fixtures.list("S", all, here, elsewhere);
        long other = Fixtures.list("Other");
        Fixtures.update("INSERT INTO suppression (address, list_id, reason, source) VALUES ('all@sup.example.cz', NULL, 'UNSUBSCRIBED', 't'), "
                + "('here@sup.example.cz', ?, 'COMPLAINT', 't'), ('elsewhere@sup.example.cz', ?, 'MANUAL', 't')", list, other);
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("News", "Body"), list);

        Fixtures.publish(SendJobV1.launch(launch));

        awaitStatus(launch, "COMPLETED");
        assertThat(Mailbox.messages()).extracting(m -> m.getRecipients(Message.RecipientType.TO)[0].toString())
                .containsExactly("elsewhere@sup.example.cz");
        assertThat(Fixtures.rows("SELECT email, last_reply FROM delivery WHERE launch_id = ? AND status = 'SKIPPED' ORDER BY email", launch))
                .extracting(r -> r.get("email") + ": " + r.get("last_reply"))
                .containsExactly("all@sup.example.cz: skipped: suppressed (UNSUBSCRIBED, all marketing mail)",
                        "here@sup.example.cz: skipped: suppressed (COMPLAINT, list " + list + ")");
        assertCountersMatchRows(launch);
    }

    @Test
    void an_erased_address_kept_only_as_its_keyed_hash_is_skipped_and_nothing_is_sent_to_an_erased_placeholder() throws Exception {
        long back = Fixtures.contact("Erased@Hash.example.cz", "Back", false);
        long stays = Fixtures.contact("stays@hash.example.cz", "Stays", false);
        // What an erasure keeps: HMAC-SHA256 of the lower-case address under the test profile's erasure key.
        Fixtures.update("INSERT INTO suppression (address_hash, reason, source) VALUES (address_hash('erased@hash.example.cz', "
                + "convert_to('erasure-test-key-0123456789abcdefghijklmn', 'UTF8')), 'ERASED', 'erasure 1')");
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("News", "Body"), Fixtures.list("H", back, stays));
        // A mail job whose recipient was erased after the job was made: the worker never sends to .invalid.
        long job = Fixtures.mailJob("BULK", "R", "Agenda", "owner@hash.example.cz");
        Fixtures.update("INSERT INTO delivery (mail_job_id, email, status) VALUES (?, 'erased-7@erased.invalid', 'PENDING'), "
                + "(?, 'guest@hash.example.cz', 'PENDING')", job, job);

        Fixtures.publish(SendJobV1.launch(launch));
        Fixtures.publish(SendJobV1.activityMail(job));

        awaitStatus(launch, "COMPLETED");
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(Fixtures.rows("SELECT status FROM mail_job WHERE id = ?", job).get(0)
                .get("status")));
        assertThat(Mailbox.messages()).flatExtracting(m -> List.of(m.getAllRecipients())).extracting(Object::toString)
                .containsExactlyInAnyOrder("stays@hash.example.cz", "guest@hash.example.cz");
        assertThat(Fixtures.rows("SELECT email, last_reply FROM delivery WHERE status = 'SKIPPED' AND (launch_id = ? OR mail_job_id = ?) "
                + "ORDER BY email", launch, job)).extracting(r -> r.get("email") + ": " + r.get("last_reply"))
                .containsExactly("Erased@Hash.example.cz: skipped: suppressed (ERASED, all marketing mail)",
                        "erased-7@erased.invalid: skipped: the recipient was erased");
        assertCountersMatchRows(launch);
    }

    @Test
    void a_redelivered_job_of_a_finished_launch_sends_nothing_again() throws Exception {
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Once", "Body"),
                Fixtures.list("D", Fixtures.contact("once@three.example.cz", "Once", false)));
        SendJobV1 job = SendJobV1.launch(launch);
        Fixtures.publish(job);
        awaitStatus(launch, "COMPLETED");

        // The same job again and a second job for the launch: once the worker has handled both, still one mail.
        Fixtures.awaitHandled(Fixtures.publish(job), Fixtures.publish(SendJobV1.launch(launch)));
        assertThat(Mailbox.messages()).hasSize(1);
        assertCountersMatchRows(launch);
    }

    @Test
    void a_launch_whose_job_never_arrives_is_started_by_the_sweep() throws Exception {
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Late", "Body"),
                Fixtures.list("E", Fixtures.contact("late@four.example.cz", "Late", false)));

        awaitStatus(launch, "COMPLETED");
        assertThat(Mailbox.messages()).extracting(MimeMessage::getSubject).containsExactly("Late");
        assertCountersMatchRows(launch);
    }

    @Test
    void a_delivery_left_claimed_by_a_dead_worker_is_resent_with_its_message_id_and_counted() throws Exception {
        long a = Fixtures.contact("a@five.example.cz", "A", false);
        long b = Fixtures.contact("b@five.example.cz", "B", false);
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Crash", "Body"), Fixtures.list("F", a, b));
        // What a worker killed mid-send leaves behind: a RUNNING launch with a lapsed lease and a stale claim, written in
        // one transaction, so the running worker's sweep sees all of it or none of it.
        try (java.sql.Connection c = Fixtures.db()) {
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE launch SET status = 'RUNNING', total = 2, pending = 2 WHERE id = " + launch);
                s.executeUpdate("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('LAUNCH', " + launch
                        + ", 'dead', now() - interval '1 second')");
                s.executeUpdate("INSERT INTO delivery (launch_id, contact_id, email, status, attempts, message_id, claimed_by, claimed_until) "
                        + "VALUES (" + launch + ", " + a + ", 'a@five.example.cz', 'SENDING', 1, '<stale.1@five.example.cz>', 'dead', "
                        + "now() - interval '1 second')");
                s.executeUpdate("INSERT INTO delivery (launch_id, contact_id, email, status) VALUES (" + launch + ", " + b
                        + ", 'b@five.example.cz', 'PENDING')");
            }
            c.commit();
        }

        awaitStatus(launch, "COMPLETED");
        MimeMessage resent = Mailbox.messages().stream()
                .filter(m -> address(m).equals("a@five.example.cz")).findFirst().orElseThrow();
        assertThat(resent.getHeader("Message-ID")[0]).isEqualTo("<stale.1@five.example.cz>");
        assertThat(Fixtures.launch(launch).get("possible_duplicates")).isEqualTo(1);
        assertThat(Fixtures.rows("SELECT * FROM delivery WHERE launch_id = ? AND possible_duplicate", launch))
                .extracting(d -> d.get("email")).containsExactly("a@five.example.cz");
        assertCountersMatchRows(launch);
    }

    static void awaitStatus(long launch, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(Fixtures.launch(launch).get("status")));
    }

    static void assertCountersMatchRows(long launch) throws Exception {
        Map<String, Object> l = Fixtures.launch(launch);
        Map<String, Object> c = Fixtures.rows("""
                SELECT count(*)::int AS total,
                       count(*) FILTER (WHERE status IN ('PENDING', 'SENDING'))::int AS pending,
                       count(*) FILTER (WHERE status = 'SENT')::int AS sent,
                       count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
                       count(*) FILTER (WHERE status = 'SKIPPED')::int AS skipped,
                       count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
                       count(*) FILTER (WHERE bounce IS NOT NULL)::int AS bounced,
                       count(*) FILTER (WHERE complained_at IS NOT NULL)::int AS complained
                FROM delivery WHERE launch_id = ?""", launch).get(0);
        for (String counter : List.of("total", "pending", "sent", "failed", "skipped", "cancelled", "bounced", "complained")) {
            assertThat(l.get(counter)).as(counter).isEqualTo(c.get(counter));
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String address(MimeMessage m) {
        try {
            return m.getRecipients(Message.RecipientType.TO)[0].toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
