package org.crmbulk.worker.runner;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.work.WorkRef;
import org.crmbulk.worker.work.WorkStore;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Finds open work nobody drives, of every kind, and hands it to the {@link WorkRunner}; it never runs work
 * itself, so a slow piece of work cannot delay the takeover of another. Nothing depends on a Kafka message
 * being delivered or redelivered. It also finds running launches other workers drive that this one can help with.
 */
@ApplicationScoped
public class Sweeper {

    private static final Logger LOG = Logger.getLogger(Sweeper.class);

    private final WorkStore store;
    private final WorkRunner runner;
    private final DeliveryConfig config;

    public Sweeper(WorkStore store, WorkRunner runner, DeliveryConfig config) {
        this.store = store;
        this.runner = runner;
        this.config = config;
    }

    // Not while the application stops: a round then could take over the very work the shutdown just released.
    @Scheduled(every = "${mail.delivery.sweep-interval:10s}", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduled() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warnf("sweep failed, the next one retries: %s", e.getMessage());
        }
    }

    @Scheduled(every = "${mail.delivery.help-interval:1s}", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void scheduledHelp() {
        try {
            help();
        } catch (RuntimeException e) {
            LOG.debugf("looking for launches to help with failed, the next round retries: %s", e.getMessage());
        }
    }

    /** With a launch slot free: every running launch another worker drives with at least a batch per send loop due. */
    public void help() {
        if (!runner.hasFreeSlot(SendJobV1.Kind.LAUNCH)) {
            return;
        }
        for (WorkRef launch : store.helpWanted(runner.owner(), config.batchSize() * Math.max(1, config.loopsPerLaunch()),
                config.maxConcurrentLaunches())) {
            runner.help(launch);
        }
    }

    /** One sweep: scheduled launches that fell due, then, per kind, as much unattended work as there are free slots. */
    public void sweep() {
        for (WorkRef launch : store.wakeScheduled(10)) {
            LOG.infof("%s: its scheduled time has come", launch);
            runner.offer(launch);
        }
        for (SendJobV1.Kind kind : SendJobV1.Kind.values()) {
            if (!runner.hasFreeSlot(kind)) {
                continue;
            }
            for (WorkRef work : store.unattended(kind, config.queuedGrace(), 10)) {
                if (!runner.hasFreeSlot(kind)) {
                    break;
                }
                LOG.infof("%s: nobody drives it (lease lapsed, wake-up due, or never taken); taking it over", work);
                runner.start(work);
            }
        }
    }
}
