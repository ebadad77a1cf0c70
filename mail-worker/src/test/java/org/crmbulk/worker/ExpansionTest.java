package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.testing.Mailbox;
import org.crmbulk.worker.delivery.DeliveryStore;
import org.crmbulk.worker.runner.WorkRunner;
import org.crmbulk.worker.work.WorkRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * A launch larger than its first chunk (2,000 addresses) starts sending once that chunk is made, and its worker
 * makes the rest meanwhile; in real PostgreSQL, whatever happens to the launch in between.
 */
@QuarkusTest
class ExpansionTest {

    private static final int FIRST_CHUNK = 2_000;

    @Inject
    DeliveryStore store;

    @Inject
    WorkRunner runner;

    @BeforeEach
    void emptyMailbox() {
        Mailbox.purge();
    }

    @Test
    void a_launch_larger_than_its_first_chunk_is_sent_whole_once_per_address_with_counters_equal_to_rows() throws Exception {
        long list = bigList("whole", 2_300);
        // The same address again in another spelling, and an opted-out contact: one row each, as in a small launch.
        long again = Fixtures.contact("WHOLE-7@eight.example.cz", "Again", false);
        long out = Fixtures.contact("whole-out@eight.example.cz", "Out", true);
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Hi {contact.firstName}", "Body"), list, Fixtures.list("more", again, out));

        Fixtures.publish(SendJobV1.launch(launch));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> "COMPLETED".equals(Fixtures.launch(launch).get("status")));
        Map<String, Object> l = Fixtures.launch(launch);
        assertThat(l.get("total")).isEqualTo(2_301);
        assertThat(l.get("sent")).isEqualTo(2_300);
        assertThat(l.get("skipped")).isEqualTo(1);
        assertThat(l.get("expanding")).isEqualTo(false);
        assertThat(Mailbox.messages()).hasSize(2_300);
        assertThat(Fixtures.rows("SELECT count(DISTINCT lower(email)) AS n FROM delivery WHERE launch_id = ?", launch).get(0).get("n"))
                .isEqualTo(2_301L);
        LaunchDeliveryTest.assertCountersMatchRows(launch);
    }

    @Test
    void a_launch_cancelled_before_the_rest_is_made_gets_every_remaining_delivery_cancelled_and_counts_its_final_lists()
            throws Exception {
        long list = bigList("cancel", 2_100);
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Hi", "Body"), list);
        WorkRef work = WorkRef.launch(launch);
        // This worker's own lease: neither its sweep nor its help round touches the launch while the test drives it.
        Fixtures.update("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('LAUNCH', ?, ?, now() + interval '1 hour')",
                launch, runner.owner());
        try {
            assertThat(store.begin(work)).isPresent();
            Map<String, Object> started = Fixtures.launch(launch);
            assertThat(started.get("status")).isEqualTo("RUNNING");
            assertThat(started.get("expanding")).isEqualTo(true);
            assertThat(started.get("total")).as("every address counted from the start").isEqualTo(2_100);
            assertThat(started.get("pending")).isEqualTo(2_100);
            assertThat(Fixtures.deliveries(launch)).hasSize(FIRST_CHUNK);
            assertThat(store.settle(work).expanding()).as("it cannot complete yet").isTrue();

            // Cancelled as api-service does it (it sees only the first chunk), and the lists change before the rest is made.
            Fixtures.update("UPDATE launch SET status = 'CANCELLED', finished_at = now() WHERE id = ?", launch);
            int cancelled = Fixtures.update("""
                    UPDATE delivery SET status = 'CANCELLED', last_reply = 'cancelled with the launch'
                    WHERE work_kind = 'LAUNCH' AND work_id = ? AND status = 'PENDING'""", launch);
            Fixtures.update("UPDATE launch SET cancelled = cancelled + ?, pending = pending - ? WHERE id = ?", cancelled, cancelled, launch);
            Fixtures.update("INSERT INTO list_member (list_id, contact_id) VALUES (?, ?)", list,
                    Fixtures.contact("cancel-late@eight.example.cz", "Late", false));

            store.expandRest(work);
            store.expandRest(work); // again, as a second loop or a worker taking over would: nothing more is made

            Map<String, Object> l = Fixtures.launch(launch);
            assertThat(l.get("expanding")).isEqualTo(false);
            assertThat(l.get("total")).as("the rows made, the late member included").isEqualTo(2_101);
            assertThat(l.get("cancelled")).isEqualTo(2_101);
            assertThat(l.get("pending")).isEqualTo(0);
            assertThat(Fixtures.rows("SELECT count(*) AS n FROM delivery WHERE launch_id = ? AND status <> 'CANCELLED'", launch)
                    .get(0).get("n")).isEqualTo(0L);
            assertThat(store.settle(work).stopped()).isTrue();
            LaunchDeliveryTest.assertCountersMatchRows(launch);
            assertThat(Mailbox.messages()).isEmpty();
        } finally {
            Fixtures.update("DELETE FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = ?", launch);
        }
    }

    /** A list of n new contacts, {prefix}-{i}@eight.example.cz, made set-wise. */
    private static long bigList(String prefix, int n) throws Exception {
        long list = Fixtures.list(prefix);
        Fixtures.update("""
                WITH made AS (INSERT INTO contact (email, first_name, opted_out)
                              SELECT ? || '-' || i || '@eight.example.cz', 'N' || i, false FROM generate_series(1, ?) i RETURNING id)
                INSERT INTO list_member (list_id, contact_id) SELECT ?, id FROM made""", prefix, n, list);
        return list;
    }
}
