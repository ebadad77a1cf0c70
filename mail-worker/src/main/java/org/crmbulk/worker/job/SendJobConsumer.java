package org.crmbulk.worker.job;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;
import org.crmbulk.worker.activity.ActivityMailProcessor;
import org.crmbulk.worker.launch.JdbcLaunchStore;
import org.crmbulk.worker.launch.LaunchRunner;
import org.crmbulk.worker.testsend.TestSendProcessor;
import org.crmbulk.worker.trace.Traces;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs send jobs: a launch is handed to the {@link LaunchRunner} (acknowledged once its lease is held, known to
 * be held elsewhere, or it is queued for a free slot); a mail task or a test send is sent here. From the claim on,
 * a database lease, not Kafka, guarantees the work is finished, so a redelivered job is harmless.
 */
@ApplicationScoped
public class SendJobConsumer {

    private static final Logger LOG = Logger.getLogger(SendJobConsumer.class);

    /** Worker pool of the job handler; its size is smallrye.messaging.worker.send-jobs.max-concurrency. */
    static final String SEND_JOB_POOL = "send-jobs";

    @Inject
    Tracer tracer;

    @Inject
    LaunchRunner runner;

    @Inject
    TestSendProcessor testSends;

    @Inject
    ActivityMailProcessor activityMail;

    @Incoming(SendJobs.CHANNEL)
    // Jobs are independent (each guarded by its database lease), so several run at once: one mail task must not
    // wait behind another's SMTP dialogue. Kafka commits an offset only when every job before it is done.
    @Blocking(value = SEND_JOB_POOL, ordered = false)
    public void onJob(ConsumerRecord<String, String> record) throws InterruptedException {
        SendJobV1 job;
        try {
            job = SendJobs.fromJson(record.value());
        } catch (IllegalArgumentException e) {
            // A poison message must not stop the channel; it is logged and skipped.
            LOG.errorf("skipping a send job that cannot be read: %s", e.getMessage());
            return;
        }
        // A child of the api-service request that wrote the job: one trace from HTTP to SMTP.
        Span span = tracer.spanBuilder("send job " + job.kind()).setSpanKind(SpanKind.CONSUMER)
                .setParent(Traces.fromKafka(record.headers())).setAttribute("crm.job.target", job.targetId()).startSpan();
        try (Scope scope = span.makeCurrent()) {
            Traces.logTraceOf(span);
            process(job);
        } finally {
            span.end();
            Traces.clearLogFields();
        }
    }

    private void process(SendJobV1 job) throws InterruptedException {
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
