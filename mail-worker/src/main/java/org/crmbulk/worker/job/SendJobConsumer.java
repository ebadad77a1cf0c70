package org.crmbulk.worker.job;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;
import org.crmbulk.worker.activity.ActivityMailProcessor;
import org.crmbulk.worker.launch.JdbcLaunchStore;
import org.crmbulk.worker.launch.LaunchRunner;
import org.crmbulk.worker.testsend.TestSendProcessor;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Turns a send job into a driven launch. The job is acknowledged once the launch's lease is held
 * (or is known to be held elsewhere, or the launch is final): from then on the database lease, not
 * Kafka, guarantees the launch is finished. A redelivered job is therefore harmless.
 */
@ApplicationScoped
public class SendJobConsumer {

    private static final Logger LOG = Logger.getLogger(SendJobConsumer.class);

    @Inject
    LaunchRunner runner;

    @Inject
    TestSendProcessor testSends;

    @Inject
    ActivityMailProcessor activityMail;

    @Incoming(SendJobs.CHANNEL)
    @Blocking
    public void onJob(String payload) throws InterruptedException {
        SendJobV1 job;
        try {
            job = SendJobs.fromJson(payload);
        } catch (IllegalArgumentException e) {
            // A poison message must not stop the channel; it is logged and skipped.
            LOG.errorf("skipping a send job that cannot be read: %s", e.getMessage());
            return;
        }
        long backoffMs = 500;
        while (true) {
            try {
                switch (job.kind()) {
                    case LAUNCH -> runner.startDriving(job.targetId());
                    case TEST_SEND -> testSends.process(job.targetId());
                    case ACTIVITY_MAIL -> activityMail.process(job.targetId());
                }
                return;
            } catch (JdbcLaunchStore.StoreException e) {
                // The database is away: hold the partition and retry rather than drop the job.
                if (runner.isStopping()) {
                    throw e;
                }
                LOG.warnf("job %s: cannot start it yet (%s), retrying in %d ms", job.jobId(), e.getMessage(), backoffMs);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 30_000);
            } catch (RuntimeException e) {
                // Anything else is not cured by waiting; the work stays in the database and the sweep retries it.
                LOG.errorf(e, "job %s failed; the sweep will pick its work up again", job.jobId());
                return;
            }
        }
    }
}
