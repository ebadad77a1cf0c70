package org.crmbulk.worker.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.BounceMailbox;
import org.crmbulk.testing.CrmStackResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** While another replica polls the bounce mailbox (holds the advisory lock), this one leaves the mailbox alone. */
@QuarkusTest
class OnePollerTest {

    @Inject
    MailboxPoller poller;

    @Test
    void a_replica_does_not_poll_while_another_one_does_and_polls_once_it_has_finished() throws Exception {
        BounceMailbox.purge();
        try (Connection other = DriverManager.getConnection(System.getProperty(CrmStackResource.JDBC_URL),
                System.getProperty(CrmStackResource.JDBC_USER), System.getProperty(CrmStackResource.JDBC_PASSWORD));
                Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + MailboxPoller.LOCK_KEY + ")");
            BounceMailbox.deliver(BounceCorpus.fixture("qmail.eml", "nobody@one-poller.example.cz", "news@shop.example.cz", "<p@one.example>"));

            assertThat(poller.poll()).as("another replica is polling").isZero();
            Thread.sleep(2_500); // this replica's own scheduled polls (every second here) hold back too
            assertThat(BounceMailbox.folder("INBOX")).hasSize(1);

            s.execute("SELECT pg_advisory_unlock(" + MailboxPoller.LOCK_KEY + ")");
        }
        // The scheduled poll may take it first; either way it is read once and moved.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> poller.poll() >= 0
                && BounceMailbox.folder("INBOX").isEmpty());
        assertThat(BounceMailbox.folder("Processed")).hasSize(1);
    }
}
