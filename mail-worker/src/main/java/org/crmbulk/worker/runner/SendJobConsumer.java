package org.crmbulk.worker.runner;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;
import org.crmbulk.worker.trace.Traces;
import org.crmbulk.worker.work.StoreException;
import org.crmbulk.worker.work.WorkRef;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Hands each send job's work to the {@link WorkRunner}, which takes its lease and runs it (or queues it for a
 * free slot): the job is acknowledged at once, never held while mail is sent. From the lease on, the database,
 * not Kafka, guarantees the work is finished, so a redelivered job is harmless.
 */
@ApplicationScoped
public class SendJobConsumer {

    private static final Logger LOG = Logger.getLogger(SendJobConsumer.class);

    private final Tracer tracer;
    private final WorkRunner runner;

    public SendJobConsumer(Tracer tracer, WorkRunner runner) {
        this.tracer = tracer;
        this.runner = runner;
    }

    @Incoming(SendJobs.CHANNEL)
    // Blocking: taking a lease is a database round trip; Kafka commits an offset once every job before it is handed over.
    @Blocking(ordered = false)
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
            handOver(job);
        } finally {
            span.end();
            Traces.clearLogFields();
        }
    }

    private void handOver(SendJobV1 job) throws InterruptedException {
        long backoffMs = 500;
        while (true) {
            try {
                runner.offer(WorkRef.of(job));
                return;
            } catch (StoreException e) {
                if (!e.isTransient() || runner.isStopping()) {
                    // Not cured by waiting: the work stays in the database and the sweep takes it up.
                    LOG.errorf("job %s: not handed over (%s); the sweep will take its work up", job.jobId(), e.getMessage());
                    return;
                }
                // The database is away: hold the partition and retry rather than drop the job.
                LOG.warnf("job %s: cannot take its lease yet (%s), retrying in %d ms", job.jobId(), e.getMessage(), backoffMs);
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 30_000);
            }
        }
    }
}
