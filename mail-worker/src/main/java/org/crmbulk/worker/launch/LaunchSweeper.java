package org.crmbulk.worker.launch;

import org.crmbulk.worker.config.DeliveryConfig;
import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Takes over launches nobody drives: nothing depends on a Kafka message being delivered or redelivered. */
@ApplicationScoped
public class LaunchSweeper {

    private static final Logger LOG = Logger.getLogger(LaunchSweeper.class);

    @Inject
    LaunchStore store;

    @Inject
    LaunchRunner runner;

    @Inject
    DeliveryConfig config;

    @Inject
    org.crmbulk.worker.activity.ActivityMailProcessor activityMail;

    @Scheduled(every = "${mail.delivery.sweep-interval:10s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() throws InterruptedException {
        try {
            // Mail jobs first: they need no launch slot.
            for (Long jobId : activityMail.due(config.queuedGrace(), 10)) {
                activityMail.process(jobId);
            }
            for (Long launchId : store.releaseDueScheduled(10)) {
                LOG.infof("launch %d: its scheduled time has come", launchId);
                if (runner.hasFreeSlot()) {
                    runner.startDriving(launchId);
                }
            }
            for (Long launchId : store.abandonedLaunches(config.queuedGrace(), 10)) {
                if (!runner.hasFreeSlot()) {
                    return;
                }
                LOG.infof("launch %d: nobody drives it (lease lapsed or never taken), taking it over", launchId);
                runner.startDriving(launchId);
            }
        } catch (RuntimeException e) {
            LOG.warnf("sweep failed, next one retries: %s", e.getMessage());
        }
    }
}
