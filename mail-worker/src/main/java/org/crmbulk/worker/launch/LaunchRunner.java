package org.crmbulk.worker.launch;

import java.lang.management.ManagementFactory;
import java.util.Map;
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

import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.trace.Traces;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Runs the launches this worker drives, each on its own thread, under a lease in the database.
 * The lease, not the Kafka offset, is what keeps a launch alive: if this process dies, the lease
 * lapses and any worker's sweep takes the launch over.
 */
@ApplicationScoped
public class LaunchRunner {

    private static final Logger LOG = Logger.getLogger(LaunchRunner.class);

    @Inject
    Tracer tracer;

    @Inject
    LaunchStore store;

    @Inject
    LaunchProcessor processor;

    @Inject
    DeliveryConfig config;

    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<Long, AtomicBoolean> active = new ConcurrentHashMap<>();
    /** Launches whose job came while every slot was busy, in arrival order. */
    private final Queue<Long> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private Semaphore slots;
    private ExecutorService executor;

    @PostConstruct
    void init() {
        slots = new Semaphore(config.maxConcurrentLaunches());
        executor = Executors.newFixedThreadPool(config.maxConcurrentLaunches(), r -> {
            Thread t = new Thread(r, "launch-driver");
            t.setDaemon(true);
            return t;
        });
    }

    public boolean isStopping() {
        return stopping.get();
    }

    public String owner() {
        return owner;
    }

    /**
     * Takes the launch's lease and starts driving it, or, when every slot is busy, queues it here to start as
     * soon as one frees: the Kafka job is never held while other launches run. Returns once the lease is taken,
     * known to be elsewhere, or the launch is queued (a crash loses the queue, not the launch: the sweep finds it).
     */
    public void startDriving(long launchId) {
        if (stopping.get() || active.containsKey(launchId)) {
            return;
        }
        if (!slots.tryAcquire()) {
            if (!waiting.contains(launchId)) {
                waiting.add(launchId);
                LOG.infof("launch %d: all %d launch slots are busy; it starts when one frees", launchId, config.maxConcurrentLaunches());
            }
            if (hasFreeSlot()) {
                startWaiting(); // a slot freed between the two checks
            }
            return;
        }
        boolean started = false;
        try {
            if (stopping.get() || !store.acquireLease(launchId, owner, config.launchLease())) {
                return;
            }
            AtomicBoolean keep = new AtomicBoolean(true);
            if (active.putIfAbsent(launchId, keep) != null) {
                return;
            }
            executor.execute(Context.current().wrap(() -> run(launchId, keep)));
            started = true;
        } finally {
            if (!started) {
                slots.release();
            }
        }
    }

    /** Starts queued launches while slots are free. */
    private void startWaiting() {
        Long next;
        while (hasFreeSlot() && (next = waiting.poll()) != null) {
            try {
                startDriving(next);
            } catch (RuntimeException e) {
                LOG.warnf("launch %d: could not start it now, the sweep will: %s", next, e.getMessage());
            }
        }
    }

    /** Whether a slot is free right now; the sweep only takes over launches it can start at once. */
    public boolean hasFreeSlot() {
        return slots.availablePermits() > 0 && !stopping.get();
    }

    private void run(long launchId, AtomicBoolean keep) {
        Span span = tracer.spanBuilder("launch " + launchId).setAttribute("crm.launch.id", launchId).startSpan();
        try (Scope scope = span.makeCurrent()) {
            MDC.put(Traces.LAUNCH_ID, Long.toString(launchId));
            Traces.logTraceOf(span);
            LOG.infof("launch %d: driving it", launchId);
            boolean done = processor.drive(launchId, owner, () -> keep.get() && !stopping.get());
            if (done) {
                LOG.infof("launch %d finished", launchId);
            }
        } catch (RuntimeException e) {
            LOG.warnf("launch %d: driving stopped, the lease will hand it over: %s", launchId, e.getMessage());
        } finally {
            active.remove(launchId);
            try {
                store.releaseLease(launchId, owner);
            } catch (RuntimeException e) {
                LOG.debugf("launch %d: lease not released (it will lapse): %s", launchId, e.getMessage());
            }
            slots.release();
            span.end();
            Traces.clearLogFields();
        }
        startWaiting();
    }

    @Scheduled(every = "${mail.delivery.heartbeat-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void heartbeat() {
        if (active.isEmpty()) {
            return;
        }
        try {
            Set<Long> held = store.renewLeases(active.keySet(), owner, config.launchLease());
            active.forEach((id, keep) -> {
                if (!held.contains(id)) {
                    LOG.warnf("launch %d: lease taken over by another worker, stepping back", id);
                    keep.set(false);
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("lease renewal failed: %s", e.getMessage());
        }
    }

    // Runs before the SMTP senders close (default priority), so the last batches can still be sent and recorded.
    void onStop(@Observes @jakarta.annotation.Priority(1) ShutdownEvent event) {
        stopping.set(true);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("shutdown: some batches were still sending; their claims will lapse and be resent");
            } else {
                LOG.info("shutdown: every launch driven here stopped after recording its last batch; leases released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
