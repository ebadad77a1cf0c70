package org.crmbulk.worker.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.crmbulk.contract.SendJobV1.Kind;
import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.worker.delivery.DeliveryDriver;
import org.crmbulk.worker.delivery.DeliveryDriver.Ending;
import org.crmbulk.worker.delivery.FixedContent;
import org.crmbulk.worker.delivery.MailMetrics;
import org.crmbulk.worker.delivery.TemplateContent;
import org.crmbulk.worker.smtp.SendResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery state machine of every kind of work, over the in-memory store: completion, pause and resume,
 * the relay-failure pause, waiting for retries, database outages. Each address gets its message once.
 */
class DeliveryStateMachineTest {

    private Engine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private Ending drive(WorkRef work) {
        return engine.driver.drive(work, "worker-1", () -> true, Executors.newCachedThreadPool());
    }

    @Test
    void a_launch_sends_each_delivery_once_with_its_message_id_and_completes() {
        engine = new Engine();
        WorkRef launch = engine.store.add(Kind.LAUNCH, 1, Engine.newsletter(MailMetrics.Mode.LAUNCH), "jana@a.cz", "petr@a.cz", "eva@a.cz");

        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.work(launch).status).isEqualTo(LaunchStatus.COMPLETED);
        assertThat(engine.relay.recipients()).containsExactlyInAnyOrder("jana@a.cz", "petr@a.cz", "eva@a.cz");
        assertThat(engine.relay.received).extracting(MailMessage::subject).contains("Hello jana");
        assertThat(engine.store.rows(launch)).allSatisfy(r -> assertThat(r.status).isEqualTo(DeliveryStatus.SENT));
        assertThat(engine.relay.received).extracting(MailMessage::messageId)
                .containsExactlyInAnyOrderElementsOf(engine.store.rows(launch).stream().map(r -> r.messageId).toList())
                .allSatisfy(id -> assertThat(id).matches("<\\d+\\.l1\\.[0-9a-f]{12}@shop\\.example\\.cz>"));
        assertThat(engine.store.work(launch).sent).isEqualTo(3);
    }

    @Test
    void a_refused_address_fails_at_once_and_the_launch_completes_with_errors() {
        engine = new Engine();
        engine.relay.answer = m -> m.to().get(0).email().startsWith("nobody")
                ? SendResult.permanent("550 5.1.1 no such user") : SendResult.accepted("250 ok");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 2, Engine.newsletter(MailMetrics.Mode.LAUNCH), "nobody@a.cz", "jana@a.cz");

        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.work(launch).status).isEqualTo(LaunchStatus.COMPLETED_WITH_ERRORS);
        InMemoryStore.Row refused = engine.store.rows(launch).get(0);
        assertThat(refused.status).isEqualTo(DeliveryStatus.FAILED);
        assertThat(refused.lastReply).isEqualTo("550 5.1.1 no such user");
        assertThat(refused.attempts).isEqualTo(1);
    }

    @Test
    void a_pause_stops_after_the_batch_in_flight_and_a_resume_sends_only_the_rest() {
        engine = new Engine("batch-size", "1");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 3, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz", "c@a.cz");
        AtomicInteger messages = new AtomicInteger();
        engine.relay.onReceive = m -> {
            if (messages.incrementAndGet() == 1) {
                engine.store.userPause(launch); // a person pauses while the first message is with the relay
            }
        };

        assertThat(drive(launch)).isInstanceOf(Ending.Stopped.class);
        assertThat(engine.store.work(launch).status).isEqualTo(LaunchStatus.PAUSED);
        assertThat(engine.store.rows(launch)).extracting(r -> r.status)
                .containsExactly(DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.PENDING);

        engine.store.userResume(launch);
        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.relay.recipients()).containsExactly("a@a.cz", "b@a.cz", "c@a.cz");
        assertThat(engine.store.work(launch).status).isEqualTo(LaunchStatus.COMPLETED);
    }

    @Test
    void temporary_failures_in_a_row_pause_a_launch_with_the_reason_and_keep_the_rest_pending() {
        engine = new Engine("batch-size", "1", "pause-after-consecutive-failures", "3");
        engine.relay.answer = m -> SendResult.temporary("451 4.3.0 try later");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 4, Engine.newsletter(MailMetrics.Mode.LAUNCH),
                "a@a.cz", "b@a.cz", "c@a.cz", "d@a.cz", "e@a.cz");

        assertThat(drive(launch)).isInstanceOf(Ending.Stopped.class);

        InMemoryStore.Work w = engine.store.work(launch);
        assertThat(w.status).isEqualTo(LaunchStatus.PAUSED);
        assertThat(w.pauseReason).isEqualTo("3 temporary failures in a row, the last: 451 4.3.0 try later");
        assertThat(engine.store.rows(launch)).allSatisfy(r -> assertThat(r.status).isEqualTo(DeliveryStatus.PENDING));
        assertThat(engine.relay.received).hasSize(3);
    }

    @Test
    void a_mail_job_the_relay_keeps_refusing_waits_for_its_retries_instead_of_pausing_and_then_finishes() {
        engine = new Engine("batch-size", "1", "pause-after-consecutive-failures", "2", "retry-delay", "2s", "max-retry-delay", "2s");
        engine.relay.answer = m -> SendResult.temporary("421 4.7.0 busy");
        FixedContent message = new FixedContent(DeliveryMode.INDIVIDUAL, "owner@crm.example.cz", "Owner", "Meeting", "See you", null,
                List.of(), 100);
        WorkRef job = engine.store.add(Kind.ACTIVITY_MAIL, 5, message, "a@a.cz", "b@a.cz", "c@a.cz");

        Ending ending = drive(job);

        assertThat(ending).isInstanceOf(Ending.WaitUntil.class);
        assertThat(((Ending.WaitUntil) ending).at()).isAfter(Instant.now());
        assertThat(engine.store.work(job).status).isEqualTo(MailJobStatus.SENDING);
        engine.relay.answer = m -> SendResult.accepted("250 ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(((Ending.WaitUntil) ending).at()));
        assertThat(drive(job)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.work(job).status).isEqualTo(MailJobStatus.DONE);
        assertThat(engine.store.rows(job)).allSatisfy(r -> assertThat(r.status).isEqualTo(DeliveryStatus.SENT));
    }

    @Test
    void a_bulk_mail_job_is_one_message_to_all_with_the_cc_group_in_cc_and_one_message_id() {
        engine = new Engine();
        FixedContent message = new FixedContent(DeliveryMode.BULK, "owner@crm.example.cz", "Owner", "Meeting", "See you", null,
                List.of(), 100);
        WorkRef job = engine.store.add(Kind.ACTIVITY_MAIL, 6, message, "a@a.cz", "b@a.cz", "cc:boss@a.cz");

        assertThat(drive(job)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.relay.received).hasSize(1);
        MailMessage sent = engine.relay.received.get(0);
        assertThat(sent.to()).extracting(MailMessage.Mailbox::email).containsExactly("a@a.cz", "b@a.cz");
        assertThat(sent.cc()).extracting(MailMessage.Mailbox::email).containsExactly("boss@a.cz");
        assertThat(engine.store.rows(job)).allSatisfy(r -> assertThat(r.messageId).isEqualTo(sent.messageId()));
        assertThat(engine.store.work(job).status).isEqualTo(MailJobStatus.DONE);
    }

    @Test
    void a_test_send_answers_with_the_relays_first_word_and_is_done() {
        engine = new Engine();
        engine.relay.answer = m -> SendResult.temporary("450 4.2.0 mailbox busy");
        WorkRef test = engine.store.add(Kind.TEST_SEND, 7, Engine.newsletter(MailMetrics.Mode.TEST), "me@a.cz");

        assertThat(drive(test)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.work(test).status).isEqualTo(TestSendStatus.DONE);
        assertThat(engine.store.rows(test).get(0).status).isEqualTo(DeliveryStatus.FAILED);
        assertThat(engine.store.rows(test).get(0).lastReply).isEqualTo("450 4.2.0 mailbox busy");
        assertThat(engine.relay.received).hasSize(1);
    }

    @Test
    void an_unrenderable_message_fails_its_delivery_with_the_reason_and_the_work_ends() {
        engine = new Engine();
        WorkRef test = engine.store.add(Kind.TEST_SEND, 8, new TemplateContent(1, "news@shop.example.cz", null, null, "Items",
                "{#for i in contact.custom.items}{i},{/for}", null, List.of(), Optional.empty(), MailMetrics.Mode.TEST, Optional.empty()), "me@a.cz");
        engine.store.rows(test).get(0).contact = Map.of("email", "me@a.cz", "custom", Map.of("items", IntStream.range(0, 101).boxed().toList()));

        assertThat(drive(test)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.work(test).status).isEqualTo(TestSendStatus.DONE);
        assertThat(engine.store.rows(test).get(0).status).isEqualTo(DeliveryStatus.FAILED);
        assertThat(engine.store.rows(test).get(0).lastReply).startsWith("template: ").contains("at most 100");
        assertThat(engine.relay.received).isEmpty();
    }

    @Test
    void a_database_outage_while_recording_is_waited_out_and_nothing_is_sent_twice() {
        engine = new Engine();
        engine.store.failNextRecords(3);
        WorkRef launch = engine.store.add(Kind.LAUNCH, 9, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz", "c@a.cz");

        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.relay.recipients()).containsExactlyInAnyOrder("a@a.cz", "b@a.cz", "c@a.cz");
        assertThat(engine.store.rows(launch)).allSatisfy(r -> {
            assertThat(r.status).isEqualTo(DeliveryStatus.SENT);
            assertThat(r.attempts).isEqualTo(1);
        });
        assertThat(engine.store.work(launch).status).isEqualTo(LaunchStatus.COMPLETED);
    }

    @Test
    void a_database_outage_between_batches_is_waited_out_like_a_reconnect() throws Exception {
        engine = new Engine("batch-size", "1");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 10, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz");
        AtomicInteger messages = new AtomicInteger();
        engine.relay.onReceive = m -> {
            if (messages.incrementAndGet() == 1) {
                engine.store.outage(true);
                Executors.newSingleThreadScheduledExecutor().schedule(() -> engine.store.outage(false), 700,
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        };

        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.relay.recipients()).containsExactly("a@a.cz", "b@a.cz");
        assertThat(engine.store.rows(launch)).allSatisfy(r -> assertThat(r.attempts).isEqualTo(1));
    }

    @Test
    void an_invalid_address_is_skipped_with_the_reason_and_never_reaches_the_relay() {
        engine = new Engine();
        WorkRef launch = engine.store.add(Kind.LAUNCH, 11, Engine.newsletter(MailMetrics.Mode.LAUNCH), "not an address@a.cz", "b@a.cz");

        assertThat(drive(launch)).isInstanceOf(Ending.Finished.class);

        assertThat(engine.store.rows(launch).get(0).status).isEqualTo(DeliveryStatus.SKIPPED);
        assertThat(engine.store.rows(launch).get(0).lastReply).startsWith("skipped: invalid address");
        assertThat(engine.relay.recipients()).containsExactly("b@a.cz");
        assertThat(engine.store.work(launch).skipped).isEqualTo(1);
    }

    @Test
    void finishing_beats_stopping_beats_waiting_when_send_loops_end_differently() {
        Instant soon = Instant.now().plusSeconds(5);
        Instant later = soon.plusSeconds(5);
        assertThat(DeliveryDriver.combine(new Ending.WaitUntil(later), new Ending.WaitUntil(soon))).isEqualTo(new Ending.WaitUntil(soon));
        assertThat(DeliveryDriver.combine(new Ending.WaitUntil(soon), new Ending.Stopped())).isInstanceOf(Ending.Stopped.class);
        assertThat(DeliveryDriver.combine(new Ending.Stopped(), new Ending.Finished())).isInstanceOf(Ending.Finished.class);
    }
}
