package org.crmbulk.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.crmbulk.contract.SendJobV1.Kind;
import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.worker.delivery.FixedContent;
import org.crmbulk.worker.delivery.MailMetrics;
import org.crmbulk.worker.work.Engine;
import org.crmbulk.worker.work.InMemoryStore;
import org.crmbulk.worker.work.WorkRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one lifecycle of every kind of work: a lease taken when a job arrives or the sweep finds the work,
 * renewed by one heartbeat, given up when a run ends, taken over when it lapses; the sweep only hands work over.
 */
class WorkLifecycleTest {

    private Engine engine;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() {
        release.countDown();
        if (engine != null) {
            engine.close();
        }
    }

    /** Holds the first message to an address with this prefix at the relay until the test releases it. */
    private void holdAt(String prefix) {
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean();
        engine.relay.onReceive = m -> {
            if (m.to().get(0).email().startsWith(prefix) && held.compareAndSet(false, true)) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Test
    void a_lapsed_lease_is_taken_over_the_old_driver_steps_back_and_its_claim_is_resent_once_and_counted() {
        engine = new Engine("batch-size", "1", "work-lease", "300ms", "claim-lease", "600ms");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 1, Engine.newsletter(MailMetrics.Mode.LAUNCH), "stuck@a.cz", "b@a.cz", "c@a.cz");
        holdAt("stuck");
        WorkRunner first = engine.runner();
        first.offer(launch); // first worker: its first message hangs at the relay, and its heartbeat stops (a partition)
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.relay.received.size() == 1);
        String firstOwner = engine.store.work(launch).leaseOwner;

        WorkRunner second = engine.runner();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.unattended(Kind.LAUNCH, Duration.ofHours(1), 10).contains(launch));
        engine.sweeper(second).sweep();

        await().atMost(Duration.ofSeconds(10)).until(() -> engine.store.work(launch).status == LaunchStatus.COMPLETED);
        first.heartbeat(); // the first worker is back: its lease is gone, so it steps back
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(launch).leaseOwner == null);

        assertThat(engine.store.work(launch).leaseOwner).isNull();
        assertThat(firstOwner).isEqualTo(first.owner());
        List<String> sent = engine.relay.recipients();
        assertThat(sent).filteredOn("stuck@a.cz"::equals).hasSize(2);
        assertThat(sent).filteredOn(a -> !a.equals("stuck@a.cz")).containsExactlyInAnyOrder("b@a.cz", "c@a.cz");
        assertThat(engine.relay.received.stream().filter(m -> m.to().get(0).email().equals("stuck@a.cz")).map(MailMessage::messageId)
                .distinct()).hasSize(1);
        InMemoryStore.Row stuck = engine.store.rows(launch).get(0);
        assertThat(stuck.status).isEqualTo(DeliveryStatus.SENT);
        assertThat(stuck.possibleDuplicate).isTrue();
        assertThat(engine.store.work(launch).possibleDuplicates).isEqualTo(1);
        assertThat(engine.store.work(launch).sent).isEqualTo(3);
    }

    @Test
    void a_worker_with_a_free_slot_helps_with_a_launch_another_drives_and_the_lease_holder_completes_it() {
        engine = new Engine("batch-size", "2", "claim-lease", "5s", "work-lease", "5s");
        String[] emails = java.util.stream.IntStream.range(0, 60).mapToObj(i -> "r" + i + "@a.cz").toArray(String[]::new);
        WorkRef launch = engine.store.add(Kind.LAUNCH, 5, Engine.newsletter(MailMetrics.Mode.LAUNCH), emails);
        java.util.Set<String> senders = java.util.concurrent.ConcurrentHashMap.newKeySet();
        engine.relay.onReceive = m -> { // a relay slow enough that one worker's loop is the bound
            engine.store.rows(launch).stream().filter(r -> r.email.equals(m.to().get(0).email())).forEach(r -> senders.add(r.claimedBy));
            sleep(15);
        };
        WorkRunner owner = engine.runner();
        WorkRunner helper = engine.runner();
        owner.offer(launch);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(launch).leaseOwner != null);
        Sweeper helperSweep = engine.sweeper(helper);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
            helperSweep.help(); // as its help round does
            return engine.store.work(launch).status == LaunchStatus.COMPLETED;
        });

        assertThat(senders).as("both workers sent some of it").containsExactlyInAnyOrder(owner.owner(), helper.owner());
        assertThat(engine.store.work(launch).leaseOwner).as("the helper never took the lease").isNotEqualTo(helper.owner());
        assertThat(engine.relay.recipients()).containsExactlyInAnyOrder(emails);
        assertThat(engine.store.rows(launch)).allMatch(r -> r.status == DeliveryStatus.SENT && !r.possibleDuplicate);
        assertThat(engine.store.work(launch).sent).isEqualTo(emails.length);
        assertThat(engine.store.helpWanted(helper.owner(), 1, 10)).as("nothing left to help with").isEmpty();
    }

    @Test
    void a_worker_helps_only_with_launches_another_live_worker_drives_with_enough_due() {
        engine = new Engine("batch-size", "2");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 6, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz", "c@a.cz");
        engine.store.begin(launch);
        assertThat(engine.store.helpWanted("me", 1, 10)).as("nobody drives it: the sweep's, not help").isEmpty();
        assertThat(engine.store.acquire(launch, "other", Duration.ofSeconds(30))).isTrue();
        assertThat(engine.store.helpWanted("other", 1, 10)).as("its own lease").isEmpty();
        assertThat(engine.store.helpWanted("me", 4, 10)).as("fewer due than a batch per loop").isEmpty();
        assertThat(engine.store.helpWanted("me", 3, 10)).containsExactly(launch);
        engine.store.userPause(launch);
        assertThat(engine.store.helpWanted("me", 1, 10)).as("paused").isEmpty();
        engine.store.userResume(launch);
        engine.store.lapse(launch);
        assertThat(engine.store.helpWanted("me", 1, 10)).as("a lapsed lease is the sweep's to take over").isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void the_sweep_finds_a_lost_mail_task_and_a_lost_test_send_and_hands_them_to_the_runner() {
        engine = new Engine("queued-grace", "100ms");
        FixedContent message = new FixedContent(DeliveryMode.INDIVIDUAL, "owner@crm.example.cz", null, "Call", "Notes", null, List.of(), 100);
        WorkRef job = engine.store.add(Kind.ACTIVITY_MAIL, 2, message, "a@a.cz");
        WorkRef test = engine.store.add(Kind.TEST_SEND, 3, Engine.newsletter(MailMetrics.Mode.TEST), "me@a.cz");
        WorkRunner runner = engine.runner();

        // No job ever arrives for either: once queued past the grace, the sweep starts them.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
            engine.sweeper(runner).sweep();
            return engine.store.work(job).status == MailJobStatus.DONE && engine.store.work(test).status == TestSendStatus.DONE;
        });
        assertThat(engine.relay.recipients()).containsExactlyInAnyOrder("a@a.cz", "me@a.cz");
    }

    @Test
    void a_test_send_left_sending_by_a_dead_worker_is_taken_over_and_ends() {
        engine = new Engine();
        WorkRef test = engine.store.add(Kind.TEST_SEND, 4, Engine.newsletter(MailMetrics.Mode.TEST), "me@a.cz");
        engine.store.begin(test);
        assertThat(engine.store.acquire(test, "dead-worker", Duration.ofSeconds(30))).isTrue();
        engine.store.lapse(test);

        engine.sweeper(engine.runner()).sweep();

        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(test).status == TestSendStatus.DONE);
        assertThat(engine.relay.recipients()).containsExactly("me@a.cz");
    }

    @Test
    void a_slow_mail_task_does_not_delay_the_takeover_of_an_abandoned_launch() {
        engine = new Engine();
        holdAt("slow");
        FixedContent message = new FixedContent(DeliveryMode.INDIVIDUAL, "owner@crm.example.cz", null, "Call", "Notes", null, List.of(), 100);
        WorkRef job = engine.store.add(Kind.ACTIVITY_MAIL, 5, message, "slow@a.cz");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 6, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz");
        engine.store.begin(launch);
        assertThat(engine.store.acquire(launch, "dead-worker", Duration.ofSeconds(30))).isTrue();
        engine.store.lapse(launch);
        WorkRunner runner = engine.runner();
        runner.offer(job);
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.relay.received.size() == 1); // the mail task hangs at the relay

        // The sweep hands the launch over and returns: it never waits for the work it finds.
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> engine.sweeper(runner).sweep());

        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(launch).status == LaunchStatus.COMPLETED);
        assertThat(engine.store.work(job).status).isEqualTo(MailJobStatus.SENDING);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(job).status == MailJobStatus.DONE);
    }

    @Test
    void work_beyond_the_slots_of_its_kind_waits_in_the_runner_and_other_kinds_go_on() {
        engine = new Engine("max-concurrent-launches", "1");
        holdAt("slow");
        WorkRef busy = engine.store.add(Kind.LAUNCH, 7, Engine.newsletter(MailMetrics.Mode.LAUNCH), "slow@a.cz");
        WorkRef next = engine.store.add(Kind.LAUNCH, 8, Engine.newsletter(MailMetrics.Mode.LAUNCH), "next@a.cz");
        WorkRef test = engine.store.add(Kind.TEST_SEND, 9, Engine.newsletter(MailMetrics.Mode.TEST), "me@a.cz");
        WorkRunner runner = engine.runner();

        runner.offer(busy);
        runner.offer(next); // returns at once: queued, no lease taken
        runner.offer(test);

        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(test).status == TestSendStatus.DONE);
        assertThat(engine.store.work(next).status).isEqualTo(LaunchStatus.QUEUED);
        assertThat(engine.store.work(next).leaseOwner).isNull();
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(next).status == LaunchStatus.COMPLETED);
    }

    @Test
    void a_stopping_worker_hands_back_the_work_of_a_job_it_takes_and_of_one_waiting_for_a_slot_for_the_next_sweep()
            throws Exception {
        engine = new Engine("max-concurrent-launches", "1");
        holdAt("slow");
        WorkRef busy = engine.store.add(Kind.LAUNCH, 11, Engine.newsletter(MailMetrics.Mode.LAUNCH), "slow@a.cz");
        WorkRef waiting = engine.store.add(Kind.LAUNCH, 12, Engine.newsletter(MailMetrics.Mode.LAUNCH), "next@a.cz");
        WorkRef late = engine.store.add(Kind.LAUNCH, 13, Engine.newsletter(MailMetrics.Mode.LAUNCH), "late@a.cz");
        WorkRunner runner = engine.runner();
        runner.offer(busy);
        runner.offer(waiting); // queued here: its job is acknowledged, no lease taken
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.store.work(busy).status == LaunchStatus.RUNNING);

        Thread stopping = new Thread(runner::stop); // waits for the held batch
        stopping.start();
        await().atMost(Duration.ofSeconds(5)).until(runner::isStopping);
        runner.offer(late); // a job that comes while the worker stops

        // Neither is started here; both are due for any live worker's sweep now, not after their queued grace (1 h here).
        await().atMost(Duration.ofSeconds(5))
                .until(() -> engine.store.unattended(Kind.LAUNCH, Duration.ofHours(1), 10).containsAll(List.of(waiting, late)));
        assertThat(engine.store.work(waiting).status).isEqualTo(LaunchStatus.QUEUED);
        assertThat(engine.store.work(late).status).isEqualTo(LaunchStatus.QUEUED);
        release.countDown();
        stopping.join(10_000);
        assertThat(stopping.isAlive()).isFalse();
    }

    @Test
    void shutdown_gives_every_lease_up_after_the_last_batch_is_recorded() {
        engine = new Engine("batch-size", "1");
        WorkRef launch = engine.store.add(Kind.LAUNCH, 10, Engine.newsletter(MailMetrics.Mode.LAUNCH), "a@a.cz", "b@a.cz", "c@a.cz");
        CountDownLatch firstSent = new CountDownLatch(1);
        engine.relay.onReceive = m -> {
            firstSent.countDown();
            try {
                Thread.sleep(200); // a relay slow enough that the stop lands mid-run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        WorkRunner runner = engine.runner();
        runner.offer(launch);
        await().atMost(Duration.ofSeconds(5)).until(() -> firstSent.getCount() == 0);

        runner.stop();

        InMemoryStore.Work w = engine.store.work(launch);
        assertThat(w.leaseOwner).isNull();
        assertThat(w.status).isEqualTo(LaunchStatus.RUNNING);
        assertThat(engine.store.rows(launch)).noneMatch(r -> r.status == DeliveryStatus.SENDING);
        assertThat(engine.store.unattended(Kind.LAUNCH, Duration.ofHours(1), 10)).containsExactly(launch);
    }
}
