package org.crmbulk.worker.runner;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.delivery.DeliveryDriver;
import org.crmbulk.worker.trace.Traces;
import org.crmbulk.worker.work.StoreException;
import org.crmbulk.worker.work.WorkRef;
import org.crmbulk.worker.work.WorkStore;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Runs every kind of mail work this worker drives, each on its own thread, under a lease in the database:
 * slots per kind (a mail task never waits behind launches), one heartbeat renewing every lease, each lease
 * given up when its run ends and all of them on shutdown. The lease, not the Kafka offset, keeps work alive:
 * if this process dies, its leases lapse and any worker's {@link Sweeper} hands the work to its runner.
 */
@ApplicationScoped
public class WorkRunner {

    private static final Logger LOG = Logger.getLogger(WorkRunner.class);

    private final WorkStore store;
    private final DeliveryDriver driver;
    private final DeliveryConfig config;
    private final Tracer tracer;

    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<WorkRef, AtomicBoolean> active = new ConcurrentHashMap<>();
    /** Running launches other workers drive that this one helps with, while it has launch slots to spare. */
    private final Map<WorkRef, AtomicBoolean> helping = new ConcurrentHashMap<>();
    private final Semaphore helpSlots;
    private final Map<SendJobV1.Kind, Semaphore> slots = new EnumMap<>(SendJobV1.Kind.class);
    /** Work whose job came while every slot of its kind was busy, in arrival order. */
    private final Map<SendJobV1.Kind, Queue<WorkRef>> waiting = new EnumMap<>(SendJobV1.Kind.class);
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Runs the drivers and their extra send loops; bounded by the slots, shut down with the worker. */
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "work-driver");
        t.setDaemon(true);
        return t;
    });

    public WorkRunner(WorkStore store, DeliveryDriver driver, DeliveryConfig config, Tracer tracer) {
        this.store = store;
        this.driver = driver;
        this.config = config;
        this.tracer = tracer;
        for (SendJobV1.Kind kind : SendJobV1.Kind.values()) {
            slots.put(kind, new Semaphore(kind == SendJobV1.Kind.LAUNCH ? config.maxConcurrentLaunches() : config.maxConcurrentJobs()));
            waiting.put(kind, new ConcurrentLinkedQueue<>());
        }
        helpSlots = new Semaphore(config.maxConcurrentLaunches());
    }

    public String owner() {
        return owner;
    }

    public boolean isStopping() {
        return stopping.get();
    }

    /**
     * Work whose send job arrived: takes its lease and starts it, or, when every slot of its kind is busy, queues
     * it here to start as soon as one frees, so the Kafka job is never held while other work runs (a crash loses the
     * queue, not the work: the sweep finds it). A stopping worker hands the work back for another worker to start.
     */
    public void offer(WorkRef work) {
        if (start(work)) {
            if (stopping.get()) {
                handBack(work); // a lease held here or elsewhere stays as it is
            }
            return;
        }
        Queue<WorkRef> queue = waiting.get(work.kind());
        if (!queue.contains(work)) {
            queue.add(work);
            LOG.infof("%s: every slot of its kind is busy; it starts when one frees", work);
        }
        startWaiting(work.kind()); // a slot may have freed since
    }

    /** Whether a slot of this kind is free now; the sweep only hands over work that can start at once. */
    public boolean hasFreeSlot(SendJobV1.Kind kind) {
        return slots.get(kind).availablePermits() > 0 && !stopping.get();
    }

    /**
     * Takes the work's lease and starts driving it in a free slot; false when no slot is free. Returns true too
     * when the work is running here already, its lease is held elsewhere, or it is not open (nothing to do).
     */
    public boolean start(WorkRef work) {
        if (stopping.get() || active.containsKey(work)) {
            return true;
        }
        AtomicBoolean helper = helping.get(work);
        if (helper != null) {
            helper.set(false); // this worker drives it now; its helping run ends after its batch
        }
        Semaphore kindSlots = slots.get(work.kind());
        if (!kindSlots.tryAcquire()) {
            return false;
        }
        boolean started = false;
        try {
            AtomicBoolean keep = new AtomicBoolean(true);
            if (active.putIfAbsent(work, keep) != null) {
                return true;
            }
            try {
                if (stopping.get() || !store.acquire(work, owner, config.workLease())) {
                    return true;
                }
                threads.execute(Context.current().wrap(() -> run(work, keep)));
                started = true;
            } finally {
                if (!started) {
                    active.remove(work);
                }
            }
            return true;
        } finally {
            if (!started) {
                kindSlots.release();
            }
        }
    }

    /**
     * Helps with a running launch another worker drives, when this worker has a launch slot free (its own work comes
     * first: the helping runs hold no launch slot, and end as soon as nothing is claimable).
     */
    public void help(WorkRef work) {
        if (!hasFreeSlot(SendJobV1.Kind.LAUNCH) || active.containsKey(work) || helping.containsKey(work) || !helpSlots.tryAcquire()) {
            return;
        }
        AtomicBoolean keep = new AtomicBoolean(true);
        if (helping.putIfAbsent(work, keep) != null) {
            helpSlots.release();
            return;
        }
        try {
            threads.execute(Context.current().wrap(() -> runHelper(work, keep)));
        } catch (RuntimeException e) { // shutting down
            helping.remove(work);
            helpSlots.release();
        }
    }

    private void runHelper(WorkRef work, AtomicBoolean keep) {
        try {
            MDC.put(Traces.LAUNCH_ID, Long.toString(work.id()));
            MDC.put(Traces.WORK, work.toString());
            LOG.infof("%s: helping the worker that drives it", work);
            driver.help(work, owner, () -> keep.get() && !stopping.get() && hasFreeSlot(SendJobV1.Kind.LAUNCH), threads);
            LOG.infof("%s: nothing left to help with", work);
        } catch (RuntimeException e) {
            LOG.warnf("%s: helping stopped (its claims lapse to the lease holder): %s", work, e.getMessage());
        } finally {
            helping.remove(work);
            helpSlots.release();
            Traces.clearLogFields();
        }
    }

    private void startWaiting(SendJobV1.Kind kind) {
        Queue<WorkRef> queue = waiting.get(kind);
        WorkRef next;
        while (hasFreeSlot(kind) && (next = queue.peek()) != null) {
            try {
                if (!start(next)) {
                    return;
                }
            } catch (RuntimeException e) {
                LOG.warnf("%s: could not start it now, the sweep will: %s", next, e.getMessage());
            }
            queue.remove(next);
        }
    }

    private void run(WorkRef work, AtomicBoolean keep) {
        Span span = tracer.spanBuilder(work.toString()).setAttribute("crm.work.kind", work.kind().name())
                .setAttribute("crm.work.id", work.id()).startSpan();
        Optional<Instant> wakeAt = Optional.empty();
        try (Scope scope = span.makeCurrent()) {
            if (work.kind() == SendJobV1.Kind.LAUNCH) {
                MDC.put(Traces.LAUNCH_ID, Long.toString(work.id()));
            }
            MDC.put(Traces.WORK, work.toString());
            Traces.logTraceOf(span);
            LOG.infof("%s: driving it", work);
            DeliveryDriver.Ending ending = driver.drive(work, owner, () -> keep.get() && !stopping.get(), threads);
            if (ending instanceof DeliveryDriver.Ending.Finished) {
                LOG.infof("%s finished", work);
            } else if (ending instanceof DeliveryDriver.Ending.WaitUntil wait) {
                wakeAt = Optional.of(wait.at());
                LOG.infof("%s: nothing to send before %s; its lease is given up until then", work, wait.at());
            }
        } catch (RuntimeException e) {
            LOG.warnf("%s: driving stopped, its lease will hand it over: %s", work, e.getMessage());
        } finally {
            active.remove(work);
            try {
                store.release(work, owner, wakeAt); // guarded by the owner: a lease taken over stays with its new holder
            } catch (RuntimeException e) {
                LOG.debugf("%s: lease not released (it will lapse): %s", work, e.getMessage());
            }
            slots.get(work.kind()).release();
            span.end();
            Traces.clearLogFields();
        }
        startWaiting(work.kind());
    }

    /** One heartbeat renews every lease this worker holds and its claims; work whose lease was taken over steps back. */
    @Scheduled(every = "${mail.delivery.heartbeat-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (active.isEmpty() && helping.isEmpty()) {
            return;
        }
        try {
            Set<WorkRef> held = store.renew(Set.copyOf(active.keySet()), Set.copyOf(helping.keySet()), owner, config.workLease(),
                    config.claimLease());
            active.forEach((work, keep) -> {
                if (!held.contains(work)) {
                    LOG.warnf("%s: its lease was taken over by another worker, stepping back", work);
                    keep.set(false);
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed: %s", e.getMessage());
        }
    }

    /**
     * Work whose Kafka job this stopping worker took (the job is acknowledged all the same): due now, so the first live
     * worker's sweep starts it, rather than after the queued grace that waits for a late job.
     */
    private void handBack(WorkRef work) {
        if (store.handBack(work)) {
            LOG.infof("%s: this worker is stopping; handed back to the next live worker's sweep", work);
        }
    }

    // Runs before the SMTP senders close (default priority), so the last batches can still be sent and recorded.
    void onStop(@Observes @Priority(1) ShutdownEvent event) {
        stop();
    }

    /** Stops taking work, lets running batches record, and gives every lease up as each run ends. */
    public void stop() {
        stopping.set(true);
        for (Queue<WorkRef> queue : waiting.values()) {
            for (WorkRef work = queue.poll(); work != null; work = queue.poll()) {
                try {
                    handBack(work);
                } catch (StoreException e) {
                    LOG.warnf("%s: not handed back (%s); it starts after the queued grace", work, e.getMessage());
                }
            }
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("shutdown: some batches were still sending; their claims will lapse and be resent");
            } else {
                LOG.info("shutdown: all work driven here stopped after recording its last batch; leases released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
