package org.crmbulk.worker.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.testing.ScriptedSmtpRelay;
import org.crmbulk.testing.ScriptedSmtpRelay.Phase;
import org.crmbulk.testing.ScriptedSmtpRelay.Rcpt;
import org.crmbulk.testing.ScriptedSmtpRelay.Transaction;
import org.crmbulk.worker.Configs;
import org.crmbulk.worker.config.DeliveryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.config.SmallRyeConfig;

/** The transport against a relay that behaves as real MTAs do, each case checked on the relay's own record. */
class AngusMailTransportTest {

    private ScriptedSmtpRelay relay;
    private AngusMailTransport transport;

    @AfterEach
    void close() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private AngusMailTransport transportTo(int port, String... settings) {
        Map<String, String> p = new HashMap<>(Map.of("mail.relay.port", String.valueOf(port), "mail.relay.connections", "8",
                "mail.relay.session-regrowth", "1h", "mail.delivery.send-timeout", "2s"));
        for (int i = 0; i < settings.length; i += 2) {
            p.put(settings[i], settings[i + 1]);
        }
        SmallRyeConfig config = Configs.of(p);
        transport = new AngusMailTransport(config.getConfigMapping(DeliveryConfig.class), config.getConfigMapping(RelayConfig.class),
                new DkimSigning(config.getConfigMapping(DkimConfig.class)));
        return transport;
    }

    private static MailMessage message(List<String> to, String body) {
        return new MailMessage(new MailMessage.Mailbox("crm@example.cz", "CRM"), null, to.stream().map(MailMessage.Mailbox::of).toList(),
                List.of(), "Subject", body, null, List.of(), "<" + System.nanoTime() + "@example.cz>", Map.of());
    }

    private static SendResult send(AngusMailTransport t, MailMessage m) {
        return t.send(m).toCompletableFuture().join();
    }

    @Test
    void the_relay_receives_exactly_what_angus_own_data_stream_writes_for_the_message_and_each_split_transaction_the_same() throws Exception {
        relay = new ScriptedSmtpRelay().maxRecipientsPerTransaction(3);
        byte[] pdf = new byte[30_000];
        new java.util.Random(5).nextBytes(pdf);
        List<MailMessage.Mailbox> to = IntStream.range(0, 7).mapToObj(i -> MailMessage.Mailbox.of("w" + i + "@b.cz")).toList();
        MailMessage m = new MailMessage(new MailMessage.Mailbox("crm@example.cz", "CRM"), null, to, List.of(), "Tečky",
                ".tečka na začátku\r\n.\r\n..dvě\r\nkonec", "<p>.Dobrý den</p>\n.<b>x</b>",
                List.of(new MimeBodies.Attachment("a.pdf", "application/pdf", pdf)), "<w.1@example.cz>", Map.of());

        assertThat(send(transportTo(relay.port()), m).kind()).isEqualTo(SendResult.Kind.ACCEPTED);

        assertThat(RelaySession.writesInBulk()).as("the bulk path is the one under test").isTrue();
        List<Transaction> transactions = relay.transactions();
        assertThat(transactions).hasSize(3);
        byte[] wire = transactions.get(0).data();
        assertThat(transactions).allSatisfy(t -> assertThat(t.data()).isEqualTo(wire));
        byte[] message = transactions.get(0).message();
        assertThat(new String(message, StandardCharsets.US_ASCII)).contains("\r\n.te=C4=8Dka").contains("\r\n..dv");
        // The wire bytes are a fixed point of Angus's own DATA stream: what it would have written for this message.
        assertThat(WireFormTest.angus(List.of(new ComposedMessage.Segment(message, false)))).isEqualTo(wire);
    }

    @Test
    void a_recipient_refused_at_rcpt_gets_its_own_answer_and_the_others_get_the_message() throws Exception {
        relay = new ScriptedSmtpRelay().answer(Phase.RCPT, "gone@b.cz", "550 5.1.1 <gone@b.cz>: User unknown", 9)
                .answer(Phase.RCPT, "full@b.cz", "452 4.2.2 Mailbox full", 9);
        SendResult r = send(transportTo(relay.port()), message(List.of("a@b.cz", "gone@b.cz", "full@b.cz", "c@b.cz"), "Hi"));

        assertThat(r.kind()).isEqualTo(SendResult.Kind.ACCEPTED);
        assertThat(r.forRecipient("a@b.cz").kind()).isEqualTo(SendResult.Kind.ACCEPTED);
        assertThat(r.forRecipient("Gone@B.cz").kind()).isEqualTo(SendResult.Kind.PERMANENT);
        assertThat(r.forRecipient("gone@b.cz").reply()).isEqualTo("550 5.1.1 <gone@b.cz>: User unknown");
        assertThat(r.forRecipient("full@b.cz").kind()).isEqualTo(SendResult.Kind.TEMPORARY);
        assertThat(relay.copies()).containsOnly(Map.entry("a@b.cz", 1), Map.entry("c@b.cz", 1));
    }

    @Test
    void a_recipient_limit_is_learned_and_the_rest_go_in_further_transactions() throws Exception {
        relay = new ScriptedSmtpRelay().maxRecipientsPerTransaction(10);
        AngusMailTransport t = transportTo(relay.port());
        List<String> first = IntStream.range(0, 25).mapToObj(i -> "f" + i + "@b.cz").toList();
        List<String> second = IntStream.range(0, 25).mapToObj(i -> "s" + i + "@b.cz").toList();

        SendResult r1 = send(t, message(first, "One"));
        SendResult r2 = send(t, message(second, "Two"));

        assertThat(first).allSatisfy(a -> assertThat(r1.forRecipient(a).kind()).isEqualTo(SendResult.Kind.ACCEPTED));
        assertThat(second).allSatisfy(a -> assertThat(r2.forRecipient(a).kind()).isEqualTo(SendResult.Kind.ACCEPTED));
        assertThat(relay.copies()).hasSize(50).allSatisfy((a, n) -> assertThat(n).isEqualTo(1));
        // The first message met the limit once; the second was split by it from the start.
        List<ScriptedSmtpRelay.Transaction> secondTx = relay.transactions().stream().filter(x -> x.rcpts().get(0).address().startsWith("s"))
                .toList();
        assertThat(secondTx).extracting(x -> x.rcpts().size()).containsExactly(10, 10, 5);
        assertThat(secondTx).allSatisfy(x -> assertThat(x.rcpts()).allMatch(Rcpt::accepted));
    }

    @Test
    void a_relay_that_allows_two_sessions_slows_the_sends_down_but_fails_none() throws Exception {
        relay = new ScriptedSmtpRelay().maxConnections(2);
        AngusMailTransport t = transportTo(relay.port(), "mail.delivery.send-timeout", "10s");

        List<CompletableFuture<SendResult>> sends = IntStream.range(0, 60)
                .mapToObj(i -> t.send(message(List.of("r" + i + "@b.cz"), "Hi")).toCompletableFuture()).toList();

        assertThat(sends).allSatisfy(f -> assertThat(f.join().kind()).isEqualTo(SendResult.Kind.ACCEPTED));
        assertThat(relay.copies()).hasSize(60).allSatisfy((a, n) -> assertThat(n).isEqualTo(1));
        assertThat(relay.peakConnections()).isLessThanOrEqualTo(2);
        assertThat(relay.refusedConnections()).isPositive();
    }

    @Test
    void the_final_reply_is_waited_for_as_long_as_the_rfc_allows_and_past_that_the_message_may_have_arrived() throws Exception {
        relay = new ScriptedSmtpRelay().delayFinalReply("slow@b.cz", Duration.ofSeconds(3), 1).delayFinalReply("late@b.cz", Duration.ofSeconds(3), 1);
        SendResult slow = send(transportTo(relay.port(), "mail.delivery.send-timeout", "1s"), message(List.of("slow@b.cz"), "Hi"));
        assertThat(slow.kind()).as("waited past the 1 s reply timeout").isEqualTo(SendResult.Kind.ACCEPTED);
        transport.close();

        SendResult late = send(transportTo(relay.port(), "mail.delivery.data-end-timeout", "1s"), message(List.of("late@b.cz"), "Hi"));
        assertThat(late.kind()).isEqualTo(SendResult.Kind.TEMPORARY);
        assertThat(late.afterDot()).as("the relay may have it").isTrue();
        // The relay keeps the late one although its reply found no one: the unavoidable window a resend is counted for.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> relay.copies().containsKey("late@b.cz"));
        assertThat(relay.copies()).containsEntry("late@b.cz", 1).containsEntry("slow@b.cz", 1);
    }

    @Test
    void the_size_is_declared_and_a_message_over_the_relays_limit_is_not_sent() throws Exception {
        relay = new ScriptedSmtpRelay().sizeLimit(5_000);
        AngusMailTransport t = transportTo(relay.port());

        SendResult small = send(t, message(List.of("a@b.cz"), "short"));
        SendResult big = send(t, message(List.of("b@b.cz"), "x".repeat(20_000)));

        assertThat(small.kind()).isEqualTo(SendResult.Kind.ACCEPTED);
        assertThat(relay.transactions().get(0).mailParameters()).matches(".*SIZE=\\d+.*");
        assertThat(big.kind()).isEqualTo(SendResult.Kind.PERMANENT);
        assertThat(big.reply()).startsWith("552 5.3.4").contains("not sent");
        assertThat(relay.transactions()).hasSize(1);
    }

    @Test
    void a_message_whose_rate_window_ended_before_its_transaction_could_begin_is_not_attempted() throws Exception {
        relay = new ScriptedSmtpRelay();
        AngusMailTransport t = transportTo(relay.port());

        SendResult late = t.send(message(List.of("a@b.cz"), "Hi"), java.time.Instant.now().minusMillis(1)).toCompletableFuture().join();
        SendResult inTime = t.send(message(List.of("b@b.cz"), "Hi"), java.time.Instant.now().plusSeconds(30)).toCompletableFuture().join();

        assertThat(late.kind()).isEqualTo(SendResult.Kind.NOT_ATTEMPTED);
        assertThat(inTime.kind()).isEqualTo(SendResult.Kind.ACCEPTED);
        assertThat(relay.transactions()).extracting(tx -> tx.rcpts().get(0).address()).containsExactly("b@b.cz");
    }

    @Test
    void a_relay_nobody_can_reach_is_a_failure_to_count_not_back_pressure() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        SendResult r = send(transportTo(closed), message(List.of("a@b.cz"), "Hi"));
        assertThat(r.kind()).isEqualTo(SendResult.Kind.TEMPORARY);
        assertThat(r.reply()).startsWith("connection");
    }
}
