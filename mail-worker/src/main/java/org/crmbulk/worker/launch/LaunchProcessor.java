package org.crmbulk.worker.launch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.crmbulk.contract.EmailAddresses;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.template.MessageTemplates;
import org.crmbulk.contract.template.TemplateLimits;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.metrics.MailMetrics;
import org.crmbulk.worker.metrics.MailMetrics.DeliveryOutcome;
import org.crmbulk.worker.metrics.MailMetrics.Mode;
import org.crmbulk.worker.smtp.MailTransport;
import org.crmbulk.worker.smtp.RelayRateLimiter;
import org.crmbulk.worker.smtp.SendResult;
import org.crmbulk.worker.trace.Traces;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Drives one launch to its end: expand it into deliveries, then claim a batch, send it, record
 * the outcomes, until no delivery is pending. Every step is idempotent, so any worker can take
 * over a launch at any point. The only duplicate window is a claimed batch whose sends reached
 * the relay before the worker died: those deliveries are resent with the same Message-ID and counted.
 */
@ApplicationScoped
public class LaunchProcessor {

    private static final Logger LOG = Logger.getLogger(LaunchProcessor.class);

    @Inject
    Tracer tracer;

    @Inject
    LaunchStore store;

    @Inject
    MailTransport transport;

    @Inject
    DeliveryConfig config;

    @Inject
    MailMetrics metrics;

    @Inject
    RelayRateLimiter rateLimiter;

    @Inject
    TemplateLimits templateLimits;

    /**
     * @param keepGoing false once this worker should stop (shutdown, or the lease was lost)
     * @return true when the launch reached a final status
     */
    public boolean drive(long launchId, String owner, BooleanSupplier keepGoing) {
        store.expandIfQueued(launchId);
        LaunchContent content = store.content(launchId).orElse(null);
        if (content == null) {
            return false;
        }
        String domain = config.messageIdDomain().orElseGet(() -> domainOf(content.from()));
        int loops = Math.max(1, config.loopsPerLaunch());
        // Temporary failures in a row are counted over all loops: the relay is one.
        AtomicInteger consecutiveTemporary = new AtomicInteger();
        if (loops == 1) {
            return loop(launchId, owner, content, domain, keepGoing, consecutiveTemporary);
        }
        // Several claim-send-record loops per launch, so that one's database round trips overlap
        // another's SMTP sends; SKIP LOCKED claims keep their batches apart.
        List<CompletableFuture<Boolean>> helpers = new ArrayList<>();
        for (int i = 1; i < loops; i++) {
            Map<String, Object> logFields = MDC.getMap();
            helpers.add(CompletableFuture.supplyAsync(Context.current().wrapSupplier(() -> {
                logFields.forEach(MDC::put);
                try {
                    return loop(launchId, owner, content, domain, keepGoing, consecutiveTemporary);
                } finally {
                    Traces.clearLogFields();
                }
            }), HELPERS));
        }
        boolean finished = loop(launchId, owner, content, domain, keepGoing, consecutiveTemporary);
        for (CompletableFuture<Boolean> helper : helpers) {
            try {
                finished |= helper.join();
            } catch (CompletionException e) {
                LOG.warnf("launch %d: a send loop stopped: %s", launchId, e.getCause());
            }
        }
        return finished;
    }

    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "launch-send-loop");
        t.setDaemon(true);
        return t;
    });

    private boolean loop(long launchId, String owner, LaunchContent content, String domain, BooleanSupplier keepGoing,
            AtomicInteger consecutiveTemporary) {
        int storeFailures = 0;
        while (keepGoing.getAsBoolean()) {
            try {
                // Permits first, claim second: a claim never waits for the rate limit and so never outlives its lease.
                RelayRateLimiter.Grant permits = rateLimiter.reserve(config.batchSize());
                if (permits.permits() == 0) {
                    sleepUntil(Instant.now().plus(permits.retryIn()), keepGoing);
                    continue;
                }
                List<ClaimedDelivery> batch = store.claim(launchId, owner, permits.permits(), config.claimLease(), domain);
                if (batch.size() < permits.permits()) {
                    rateLimiter.release(permits.permits() - batch.size());
                }
                storeFailures = 0;
                if (batch.isEmpty()) {
                    if (!store.isRunning(launchId)) {
                        return false; // paused or cancelled: whoever resumes it starts a driver again
                    }
                    Instant next = store.nextWork(launchId).orElse(null);
                    if (next == null) {
                        return store.completeIfDone(launchId);
                    }
                    sleepUntil(next, keepGoing);
                    continue;
                }
                metrics.possibleDuplicates(Mode.LAUNCH, batch.stream().filter(ClaimedDelivery::reclaimed).count());
                Instant claimedAt = Instant.now();
                List<Outcome> outcomes = send(content, batch, permits);
                if (!recordUntilStored(content, owner, outcomes, claimedAt.plus(config.claimLease()))) {
                    return false;
                }
                outcomes.stream().filter(o -> o.kind() != Outcome.Kind.NOT_SENT)
                        .forEach(o -> metrics.delivery(Mode.LAUNCH, DeliveryOutcome.valueOf(o.kind().name())));
                int inARow = 0;
                if (outcomes.stream().anyMatch(o -> o.kind() == Outcome.Kind.SENT)) {
                    consecutiveTemporary.set(0);
                } else {
                    inARow = consecutiveTemporary.addAndGet((int) outcomes.stream().filter(o -> o.kind() == Outcome.Kind.RETRY).count());
                }
                if (inARow >= config.pauseAfterConsecutiveFailures()) {
                    String reason = inARow + " temporary failures in a row, the last: "
                            + outcomes.get(outcomes.size() - 1).reply();
                    LOG.warnf("launch %d: pausing it: %s", launchId, reason);
                    store.pauseForRelay(launchId, reason);
                    return false;
                }
            } catch (JdbcLaunchStore.StoreException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                // The database is away (restart, failover): keep driving once it answers again, like a reconnect.
                storeFailures++;
                LOG.warnf("launch %d: database unavailable (%s), retrying", launchId, e.getMessage());
                sleepUntil(Instant.now().plus(storeBackoff(storeFailures)), keepGoing);
            }
        }
        return false;
    }

    private List<Outcome> send(LaunchContent content, List<ClaimedDelivery> batch, RelayRateLimiter.Grant permits) {
        Span span = tracer.spanBuilder("smtp send").setSpanKind(SpanKind.CLIENT)
                .setAttribute("crm.launch.id", content.launchId()).setAttribute("crm.batch.size", batch.size()).startSpan();
        try (Scope scope = span.makeCurrent()) {
            List<Outcome> outcomes = sendBatch(content, batch, permits);
            for (Outcome o : outcomes) {
                if (o.kind() == Outcome.Kind.FAILED) {
                    MDC.put(Traces.DELIVERY_ID, Long.toString(o.deliveryId()));
                    LOG.infof("launch %d: delivery %d failed: %s", content.launchId(), o.deliveryId(), o.reply());
                    MDC.remove(Traces.DELIVERY_ID);
                }
            }
            return outcomes;
        } finally {
            span.end();
        }
    }

    private List<Outcome> sendBatch(LaunchContent content, List<ClaimedDelivery> batch, RelayRateLimiter.Grant permits) {
        List<CompletableFuture<Outcome>> pending = new ArrayList<>(batch.size());
        for (ClaimedDelivery d : batch) {
            String invalid = EmailAddresses.problem(d.email()).orElse(null);
            if (invalid != null) {
                pending.add(CompletableFuture.completedFuture(Outcome.skipped(d.id(), "skipped: invalid address: " + invalid)));
                continue;
            }
            if (d.contact() == null) {
                pending.add(CompletableFuture.completedFuture(Outcome.skipped(d.id(), "skipped: the contact was deleted")));
                continue;
            }
            MailMessage mail;
            try {
                mail = compose(content, d, templateLimits.limits());
            } catch (MessageTemplates.RenderException e) {
                pending.add(CompletableFuture.completedFuture(Outcome.failed(d.id(), "template: " + e.getMessage())));
                continue;
            }
            if (!permits.valid()) {
                pending.add(CompletableFuture.completedFuture(Outcome.notSent(d.id())));
                continue;
            }
            pending.add(metrics.send(Mode.LAUNCH, transport.send(mail)).toCompletableFuture().thenApply(result -> outcome(d, result, mail.subject())));
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    /**
     * Renders one message from the launch's frozen content; launches and test sends share it, so a test
     * shows what recipients get.
     *
     * @throws MessageTemplates.RenderException when this contact's message cannot be rendered within the limits
     */
    public static MailMessage compose(LaunchContent content, ClaimedDelivery d, MessageTemplates.Limits limits) {
        MessageTemplates.Merge merge = MessageTemplates.Merge.of(d.contact());
        String subject = MessageTemplates.renderSubject(content.subjectTemplate(), merge, limits);
        String html = content.htmlTemplate() == null ? null : MessageTemplates.renderHtml(content.htmlTemplate(), merge, limits);
        String text = content.textTemplate() != null ? MessageTemplates.renderText(content.textTemplate(), merge, limits)
                : MessageTemplates.textFromHtml(html);
        return new MailMessage(new MailMessage.Mailbox(content.from(), content.fromName()), content.replyTo(),
                List.of(MailMessage.Mailbox.of(d.email())), List.of(), subject, text, html, content.attachments(), d.messageId(),
                Map.of());
    }

    private Outcome outcome(ClaimedDelivery d, SendResult result, String subject) {
        return outcome(d, result, subject, Instant.now());
    }

    /** SENT, FAILED at once on 5xx, or retried later on 4xx until the attempts or the age run out. */
    Outcome outcome(ClaimedDelivery d, SendResult result, String subject, Instant now) {
        return switch (result.kind()) {
            case ACCEPTED -> Outcome.sent(d.id(), result.reply(), subject);
            case PERMANENT -> Outcome.failed(d.id(), result.reply());
            case TEMPORARY -> d.attempts() >= config.maxAttempts()
                    ? Outcome.failed(d.id(), "gave up after " + d.attempts() + " attempts: " + result.reply())
                    : d.firstAttemptAt().plus(config.maxRetryAge()).isBefore(now)
                    ? Outcome.failed(d.id(), "gave up after " + config.maxRetryAge() + " of retries: " + result.reply())
                    : Outcome.retry(d.id(), result.reply(), now.plus(backoff(d.attempts())));
        };
    }

    /**
     * The outcomes of sent mail live only in memory until recorded, so a database outage is waited
     * out rather than dropped: dropping them would resend the batch. Past the claim lease another
     * worker may own these deliveries, so recording stops there (the owner guard makes a late write harmless).
     */
    private boolean recordUntilStored(LaunchContent content, String owner, List<Outcome> outcomes, Instant claimEnds) {
        for (int failures = 1; ; failures++) {
            try {
                store.record(content, owner, outcomes);
                return true;
            } catch (JdbcLaunchStore.StoreException e) {
                if (!e.isTransient() || Instant.now().isAfter(claimEnds)) {
                    LOG.warnf("launch %d: could not record %d outcomes before the claim lease ran out: %s",
                            content.launchId(), outcomes.size(), e.getMessage());
                    return false;
                }
                LOG.warnf("launch %d: database unavailable while recording (%s), retrying", content.launchId(), e.getMessage());
                sleepUntil(Instant.now().plus(storeBackoff(failures)), () -> true);
            }
        }
    }

    // sleepUntil wakes at least every second, so a longer backoff would not be honoured.
    private static Duration storeBackoff(int failures) {
        return Duration.ofMillis(Math.min(1_000, 250L << Math.min(failures, 2)));
    }

    /** Exponential backoff with full jitter in its upper half, so retries of a batch spread out. */
    Duration backoff(int attempts) {
        long base = config.retryDelay().toMillis() << Math.min(attempts - 1, 20);
        long capped = Math.min(base, config.maxRetryDelay().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    static String domainOf(String from) {
        int at = from.lastIndexOf('@');
        String domain = at < 0 ? "crm-bulk.local" : from.substring(at + 1).replace(">", "").trim();
        return domain.isEmpty() ? "crm-bulk.local" : domain;
    }

    private static void sleepUntil(Instant next, BooleanSupplier keepGoing) {
        long millis = Math.min(1_000, Math.max(50, Duration.between(Instant.now(), next).toMillis()));
        try {
            if (keepGoing.getAsBoolean()) {
                Thread.sleep(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("interrupted while waiting for retries");
        }
    }
}
