package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.testing.Mailbox;
import org.crmbulk.worker.work.WorkRef;
import org.crmbulk.worker.work.WorkStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * The sweep finds every kind of work nobody drives, in real PostgreSQL: work whose Kafka job never came, and
 * work a dead worker left half done. It only hands the work to the runner; the work is sent as any other.
 */
@QuarkusTest
class SweepTest {

    @Inject
    WorkStore workStore;

    @BeforeEach
    void emptyMailbox() {
        Mailbox.purge();
    }

    @Test
    void a_test_send_whose_job_is_lost_is_sent_by_the_sweep() throws Exception {
        long testSend = testSend("lost-test@six.example.cz", "QUEUED");

        awaitDone("test_send", testSend, "DONE");
        assertThat(Mailbox.messages()).extracting(SweepTest::to).containsExactly("lost-test@six.example.cz");
        assertThat(deliveries("test_send_id", testSend)).singleElement().satisfies(d -> assertThat(d.get("status")).isEqualTo("SENT"));
    }

    @Test
    void a_test_send_left_sending_by_a_dead_worker_is_taken_over_and_ends() throws Exception {
        long testSend = testSend("half-done@six.example.cz", "SENDING");
        Fixtures.update("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('TEST_SEND', ?, 'dead', now() - interval '1 second')",
                testSend);

        awaitDone("test_send", testSend, "DONE");
        assertThat(Mailbox.messages()).extracting(SweepTest::to).containsExactly("half-done@six.example.cz");
    }

    @Test
    void a_mail_task_whose_job_is_lost_is_sent_by_the_sweep() throws Exception {
        long job = Fixtures.mailJob("INDIVIDUAL", "Review", "Agenda", "owner@six.example.cz");
        Fixtures.update("INSERT INTO delivery (mail_job_id, email, display_name, status) VALUES (?, 'guest@six.example.cz', 'Guest', 'PENDING')", job);

        awaitDone("mail_job", job, "DONE");
        MimeMessage mail = Mailbox.messages().get(0);
        assertThat(to(mail)).isEqualTo("guest@six.example.cz");
        assertThat(mail.getHeader("Message-ID")[0]).matches("<\\d+\\.a" + job + "\\.[0-9a-f]{12}@six\\.example\\.cz>");
        assertThat(deliveries("mail_job_id", job)).singleElement().satisfies(d -> {
            assertThat(d.get("status")).isEqualTo("SENT");
            assertThat(d.get("message_id")).isEqualTo(mail.getHeader("Message-ID")[0]);
        });
    }

    @Test
    void a_running_launch_another_live_worker_drives_gets_help_and_its_lease_holder_still_completes_it() throws Exception {
        int n = 110; // more than a batch per send loop (50 x 2): worth helping with
        long[] contacts = new long[n];
        for (int i = 0; i < n; i++) {
            contacts[i] = Fixtures.contact("help-" + i + "@seven.example.cz", "Help" + i, false);
        }
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Hi {contact.firstName}", "Body"), Fixtures.list("help", contacts));
        // Expanded and leased by a worker that is alive but slow: it sends nothing here.
        Fixtures.update("INSERT INTO delivery (launch_id, contact_id, email, status) SELECT ?, id, email, 'PENDING' FROM contact WHERE email LIKE 'help-%@seven.example.cz'",
                launch);
        try (java.sql.Connection c = Fixtures.db()) { // one transaction: the sweep never sees it running without its lease
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("UPDATE launch SET status = 'RUNNING', started_at = now(), total = " + n + ", pending = " + n
                        + " WHERE id = " + launch);
                s.executeUpdate("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('LAUNCH', " + launch
                        + ", 'slow-worker', now() + interval '1 hour')");
            }
            c.commit();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ((Number) Fixtures.launch(launch).get("sent")).intValue() == n);
        assertThat(Mailbox.messages()).hasSize(n);
        Map<String, Object> helped = Fixtures.launch(launch);
        assertThat(helped.get("status")).as("completion is the lease holder's").isEqualTo("RUNNING");
        assertThat(helped.get("pending")).isEqualTo(0);
        assertThat(Fixtures.rows("SELECT owner FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = ?", launch))
                .singleElement().satisfies(l -> assertThat(l.get("owner")).isEqualTo("slow-worker"));
        assertThat(Fixtures.rows("SELECT count(*) AS n FROM delivery WHERE launch_id = ? AND status = 'SENT' AND NOT possible_duplicate", launch)
                .get(0).get("n")).isEqualTo((long) n);

        // The slow worker dies: the sweep takes the launch over, and its new holder completes it without resending.
        Fixtures.update("UPDATE work_lease SET until = now() - interval '1 second' WHERE work_kind = 'LAUNCH' AND work_id = ?", launch);
        awaitDone("launch", launch, "COMPLETED");
        assertThat(Mailbox.messages()).hasSize(n);
    }

    @Test
    void work_a_stopping_worker_hands_back_is_due_for_the_sweep_at_once_and_work_with_a_lease_or_closed_is_left_alone()
            throws Exception {
        // The test profile's queued grace is 5 s: until then no sweep would start this test send.
        WorkRef lost = new WorkRef(SendJobV1.Kind.TEST_SEND, testSend("handed-back@six.example.cz", "QUEUED"));
        assertThat(workStore.unattended(lost.kind(), Duration.ofHours(1), 1_000)).doesNotContain(lost);

        assertThat(workStore.handBack(lost)).isTrue();

        // Due now: the sweep's query lists it whatever the grace, unless this worker's own sweep has taken it already.
        assertThat(workStore.unattended(lost.kind(), Duration.ofHours(1), 1_000).contains(lost)
                || !Fixtures.rows("SELECT 1 FROM work_lease WHERE work_kind = 'TEST_SEND' AND work_id = ? AND owner IS NOT NULL",
                        lost.id()).isEmpty()).as("listed by the sweep, or taken by it").isTrue();
        awaitDone("test_send", lost.id(), "DONE");
        assertThat(Mailbox.messages()).extracting(SweepTest::to).containsExactly("handed-back@six.example.cz");

        // Driven by a live worker elsewhere (its lease outlives this test run): not touched. Closed: nothing to hand back.
        WorkRef held = new WorkRef(SendJobV1.Kind.TEST_SEND, testSend("held@six.example.cz", "SENDING"));
        Fixtures.update("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('TEST_SEND', ?, 'alive', now() + interval '1 hour')",
                held.id());
        WorkRef closed = new WorkRef(SendJobV1.Kind.TEST_SEND, testSend("closed@six.example.cz", "DONE"));
        assertThat(workStore.handBack(held)).isFalse();
        assertThat(workStore.handBack(closed)).isFalse();
        assertThat(Fixtures.rows("SELECT owner, until > now() + interval '59 minutes' AS later FROM work_lease "
                + "WHERE work_kind = 'TEST_SEND' AND work_id = ?", held.id())).containsExactly(Map.of("owner", "alive", "later", true));
        assertThat(Fixtures.rows("SELECT 1 FROM work_lease WHERE work_kind = 'TEST_SEND' AND work_id = ?", closed.id())).isEmpty();
    }

    /** A test send as api-service writes it (its addresses are its deliveries), without publishing its job. */
    private static long testSend(String address, String status) throws Exception {
        long action = Fixtures.bulkAction("Test {contact.email}", "Body");
        long id = ((Number) Fixtures.rows("""
                INSERT INTO test_send (bulk_action_id, content_version_id, addresses, status)
                SELECT id, current_version_id, ARRAY[?], ? FROM bulk_action WHERE id = ? RETURNING id""", address, status, action)
                .get(0).get("id")).longValue();
        Fixtures.update("INSERT INTO delivery (test_send_id, email, status) VALUES (?, ?, 'PENDING')", id, address);
        return id;
    }

    private static void awaitDone(String table, long id, String status) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(Fixtures.rows("SELECT status FROM " + table + " WHERE id = ?", id).get(0).get("status")));
    }

    private static List<Map<String, Object>> deliveries(String column, long id) throws Exception {
        return Fixtures.rows("SELECT * FROM delivery WHERE " + column + " = ? ORDER BY id", id);
    }

    private static String to(MimeMessage m) {
        try {
            return ((InternetAddress) m.getRecipients(Message.RecipientType.TO)[0]).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
