package org.crmbulk.worker.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.crmbulk.contract.EmailAddresses;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.template.TemplateLimits;
import org.crmbulk.worker.bounce.ReturnPaths;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.smtp.MailTransport;
import org.crmbulk.worker.smtp.RelayPermits;
import org.crmbulk.worker.smtp.SendResult;
import org.crmbulk.worker.trace.Traces;
import org.crmbulk.worker.work.StoreException;
import org.crmbulk.worker.work.WorkRef;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Sends any kind of work to its end: start it, then claim a batch, turn it into messages, send them,
 * decide each outcome by the one {@link DeliveryPolicy}, record, until no delivery is open. Every step is
 * idempotent, so any worker can take the work over at any point. The only duplicate window is a claimed
 * batch whose messages reached the relay before the worker died: resent with the same Message-IDs, and counted.
 */
@ApplicationScoped
public class DeliveryDriver {

    private static final Logger LOG = Logger.getLogger(DeliveryDriver.class);

    /** Deliveries in the first batch of each send loop of a run. */
    static final int FIRST_BATCH = 10;

    /** How a run of the driver ended, for the lease: give it up, or give it up until a time. */
    public sealed interface Ending {
        /** The work reached its final status. */
        record Finished() implements Ending {
        }

        /** Paused, cancelled, gone, or this worker must stop (shutdown, lease lost): nobody waits for a time. */
        record Stopped() implements Ending {
        }

        /** Nothing to send before {@code at} (retries): the lease is better given up until then. */
        record WaitUntil(Instant at) implements Ending {
        }
    }

    private final DeliveryStore store;
    private final MailTransport transport;
    private final RelayPermits permits;
    private final DeliveryPolicy policy;
    private final DeliveryConfig config;
    private final MailMetrics metrics;
    private final TemplateLimits templateLimits;
    private final Tracer tracer;
    private final ReturnPaths returnPaths;

    public DeliveryDriver(DeliveryStore store, MailTransport transport, RelayPermits permits, DeliveryPolicy policy,
            DeliveryConfig config, MailMetrics metrics, TemplateLimits templateLimits, Tracer tracer, ReturnPaths returnPaths) {
        this.store = store;
        this.transport = transport;
        this.permits = permits;
        this.policy = policy;
        this.config = config;
        this.metrics = metrics;
        this.templateLimits = templateLimits;
        this.tracer = tracer;
        this.returnPaths = returnPaths;
    }

    /**
     * @param owner     the lease holder, written on every claim
     * @param keepGoing false once this worker should stop (shutdown, or the lease was lost)
     * @param loops     runs the extra claim-send-record loops of a large piece of work
     */
    public Ending drive(WorkRef work, String owner, BooleanSupplier keepGoing, Executor loops) {
        return store.begin(work).map(content -> run(work, owner, content, false, keepGoing, loops)).orElseGet(Ending.Stopped::new);
    }

    /**
     * Helps with a running launch another worker drives: claims, sends and records its deliveries (and pauses it on a
     * run of refusals) like the lease holder, but leaves expansion and completion to it, and stops once nothing is
     * claimable; counters stay exact because each record moves them in the transaction of its rows.
     */
    public Ending help(WorkRef work, String owner, BooleanSupplier keepGoing, Executor loops) {
        return store.content(work).map(content -> run(work, owner, content, true, keepGoing, loops)).orElseGet(Ending.Stopped::new);
    }

    private Ending run(WorkRef work, String owner, MailContent content, boolean helper, BooleanSupplier keepGoing, Executor loops) {
        Run run = new Run(work, owner, content, new MessageIds(work, config.messageIdDomain(), content.from()), keepGoing,
                policy.pauseRule(), helper);
        // A launch runs several loops, so that one's database round trips overlap another's SMTP sends; SKIP LOCKED
        // claims keep their batches apart. Small work (one message per loop is most of it) runs one.
        int n = work.kind() == SendJobV1.Kind.LAUNCH ? Math.max(1, config.loopsPerLaunch()) : 1;
        List<CompletableFuture<Ending>> others = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            Map<String, Object> logFields = MDC.getMap();
            others.add(CompletableFuture.supplyAsync(Context.current().wrapSupplier(() -> {
                logFields.forEach(MDC::put);
                try {
                    return run.loop();
                } finally {
                    Traces.clearLogFields();
                }
            }), loops));
        }
        if (!helper && n > 1) {
            run.expandRest(); // the other loops send the first chunk meanwhile; a failure is retried when a loop runs dry
        }
        Ending ending = run.loop();
        for (CompletableFuture<Ending> other : others) {
            try {
                ending = combine(ending, other.join());
            } catch (CompletionException e) {
                LOG.warnf("%s: a send loop stopped: %s", work, e.getCause());
                ending = combine(ending, new Ending.Stopped());
            }
        }
        return ending;
    }

    /** Finished beats stopped beats waiting; of two waits, the earlier. */
    public static Ending combine(Ending a, Ending b) {
        if (a instanceof Ending.Finished || b instanceof Ending.Finished) {
            return new Ending.Finished();
        }
        if (a instanceof Ending.Stopped || b instanceof Ending.Stopped) {
            return new Ending.Stopped();
        }
        Instant x = ((Ending.WaitUntil) a).at();
        Instant y = ((Ending.WaitUntil) b).at();
        return new Ending.WaitUntil(x.isBefore(y) ? x : y);
    }

    /** One run of one piece of work: the loops share its content, Message-ID rule and run of temporary answers. */
    private final class Run {
        final WorkRef work;
        final String owner;
        final MailContent content;
        final MessageIds ids;
        final BooleanSupplier keepGoing;
        final DeliveryPolicy.PauseRule pauseRule;
        final boolean helper;

        Run(WorkRef work, String owner, MailContent content, MessageIds ids, BooleanSupplier keepGoing, DeliveryPolicy.PauseRule pauseRule,
                boolean helper) {
            this.work = work;
            this.owner = owner;
            this.content = content;
            this.ids = ids;
            this.keepGoing = keepGoing;
            this.pauseRule = pauseRule;
            this.helper = helper;
        }

        Ending loop() {
            int storeFailures = 0;
            // A run's first batch is small, so its first messages leave and are recorded before a full batch is composed.
            int batchSize = Math.min(FIRST_BATCH, config.batchSize());
            while (keepGoing.getAsBoolean()) {
                try {
                    Ending ending = step(batchSize);
                    batchSize = config.batchSize();
                    storeFailures = 0;
                    if (ending != null) {
                        return ending;
                    }
                } catch (StoreException e) {
                    if (!e.isTransient()) {
                        throw e;
                    }
                    // The database is away (restart, failover): keep going once it answers again, like a reconnect.
                    storeFailures++;
                    LOG.warnf("%s: database unavailable (%s), retrying", work, e.getMessage());
                    sleepUntil(Instant.now().plus(storeBackoff(storeFailures)), keepGoing);
                }
            }
            return new Ending.Stopped();
        }

        /** Makes the rest of a launch's deliveries now, unless the database is away (a loop that runs dry tries again). */
        void expandRest() {
            try {
                store.expandRest(work);
            } catch (StoreException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                LOG.warnf("%s: its remaining deliveries are made later (database unavailable: %s)", work, e.getMessage());
            }
        }

        /** One claim-send-record round; null to go on, or how the run ends. */
        private Ending step(int batchSize) {
            // Permits first, claim second: a claim never waits for the rate limit and so never outlives its lease.
            RelayPermits.Grant grant = permits.reserve(batchSize);
            if (grant.permits() == 0) {
                sleepUntil(Instant.now().plus(grant.retryIn()), keepGoing);
                return null;
            }
            int limit = grant.permits() * content.recipientsPerMessage();
            List<ClaimedDelivery> batch = store.claim(work, owner, limit, config.claimLease(), ids);
            if (batch.isEmpty()) {
                permits.release(grant, grant.permits());
                return idle();
            }
            metrics.possibleDuplicates(content.mode(), batch.stream().filter(ClaimedDelivery::reclaimed).count());
            Instant claimedAt = Instant.now();
            List<Letter> letters = letters(batch);
            long messages = letters.stream().filter(Letter.Message.class::isInstance).count();
            permits.release(grant, grant.permits() - (int) messages);
            Sent sent = send(letters, grant);
            permits.release(grant, sent.unsentMessages());
            if (!recordUntilStored(sent.outcomes(), claimedAt.plus(config.claimLease()))) {
                return new Ending.Stopped();
            }
            sent.outcomes().stream().filter(o -> o.kind() != Outcome.Kind.NOT_SENT).forEach(o -> metrics.delivery(content.mode(), o.kind()));
            metrics.possibleDuplicates(content.mode(), sent.outcomes().stream().filter(Outcome::mayHaveArrived).count());
            if (sent.pauseReason() != null) {
                LOG.warnf("%s: stopping it: %s", work, sent.pauseReason());
                if (store.pause(work, sent.pauseReason())) {
                    return new Ending.Stopped();
                }
                // Work nobody resumes by hand backs off until the retries just scheduled come due, untried ones included.
                return new Ending.WaitUntil(sent.outcomes().stream().map(Outcome::retryAt).filter(Objects::nonNull)
                        .max(Comparator.naturalOrder()).orElse(Instant.now().plus(config.retryDelay())));
            }
            // Fewer due than asked for: nothing else was claimable, so settle now rather than claim again for nothing.
            return batch.size() < limit ? idle() : null;
        }

        /** Nothing claimable: stopped by someone, finished, or waiting for retries (held briefly, else released until then). */
        private Ending idle() {
            if (helper) {
                return new Ending.Stopped(); // the lease holder settles; the next help round finds any work that fell due
            }
            DeliveryStore.Settlement settled = store.settle(work);
            if (settled.expanding()) {
                store.expandRest(work); // waits while another loop or worker makes them
                return null;
            }
            if (settled.stopped()) {
                return new Ending.Stopped();
            }
            if (settled.finished()) {
                return new Ending.Finished();
            }
            Instant next = settled.next().orElseGet(Instant::now);
            // Due after the next sweep: the lease (and this worker's slot) is given up until then, the sweep hands it back.
            if (next.isAfter(Instant.now().plus(config.sweepInterval()))) {
                return new Ending.WaitUntil(next);
            }
            sleepUntil(next, keepGoing);
            return null;
        }

        private List<Letter> letters(List<ClaimedDelivery> batch) {
            List<Letter> letters = new ArrayList<>(batch.size());
            List<ClaimedDelivery> valid = new ArrayList<>(batch.size());
            for (ClaimedDelivery d : batch) {
                Optional<String> invalid = EmailAddresses.problem(d.email());
                if (invalid.isPresent()) {
                    letters.add(new Letter.Settled(Outcome.skipped(d, "skipped: invalid address: " + invalid.get())));
                } else {
                    valid.add(d);
                }
            }
            letters.addAll(content.letters(valid, templateLimits.limits()));
            return letters;
        }

        /** {@code unsentMessages}: messages never handed to the relay (their grant ran out, or no session was free). */
        record Sent(List<Outcome> outcomes, String pauseReason, int unsentMessages) {
        }

        private Sent send(List<Letter> letters, RelayPermits.Grant grant) {
            Span span = tracer.spanBuilder("smtp send").setSpanKind(SpanKind.CLIENT).setAttribute("crm.work", work.toString())
                    .setAttribute("crm.batch.size", letters.size()).startSpan();
            try (Scope scope = span.makeCurrent()) {
                List<CompletableFuture<List<Outcome>>> pending = new ArrayList<>(letters.size());
                AtomicReference<String> pause = new AtomicReference<>();
                for (Letter letter : letters) {
                    if (letter instanceof Letter.Settled settled) {
                        pending.add(CompletableFuture.completedFuture(List.of(settled.outcome())));
                    } else if (!grant.valid()) {
                        pending.add(CompletableFuture.completedFuture(((Letter.Message) letter).recipients().stream().map(Outcome::notSent).toList()));
                    } else {
                        Letter.Message m = (Letter.Message) letter;
                        pending.add(metrics.send(content.mode(), transport.send(m.mail(), returnPaths.of(m.recipients().get(0).id()), grant.validUntil())).toCompletableFuture().thenApply(result -> {
                            String reason = pauseRule.observe(result);
                            if (reason != null) {
                                pause.set(reason);
                            }
                            return outcomes(m, result);
                        }));
                    }
                }
                List<List<Outcome>> perLetter = pending.stream().map(CompletableFuture::join).toList();
                List<Outcome> outcomes = perLetter.stream().flatMap(List::stream).toList();
                int unsent = 0;
                for (int i = 0; i < letters.size(); i++) {
                    if (letters.get(i) instanceof Letter.Message
                            && perLetter.get(i).stream().allMatch(o -> o.kind() == Outcome.Kind.NOT_SENT)) {
                        unsent++;
                    }
                }
                for (Outcome o : outcomes) {
                    if (o.kind() == Outcome.Kind.FAILED) {
                        MDC.put(Traces.DELIVERY_ID, Long.toString(o.deliveryId()));
                        LOG.infof("%s: delivery %d failed: %s", work, o.deliveryId(), o.reply());
                        MDC.remove(Traces.DELIVERY_ID);
                    }
                }
                return new Sent(outcomes, pause.get(), unsent);
            } finally {
                span.end();
            }
        }

        private List<Outcome> outcomes(Letter.Message m, SendResult result) {
            Instant now = Instant.now();
            return m.recipients().stream().map(d -> policy.outcome(work.kind(), d, result.forRecipient(d.email()), m.mail().subject(),
                    m.mail().messageId(), now)).toList();
        }

        /**
         * The outcomes of sent mail live only in memory until recorded, so a database outage is waited out rather
         * than dropped: dropping them would resend the batch. Past the claim lease another worker may own these
         * deliveries, so recording stops there (the owner guard makes a late write harmless).
         */
        private boolean recordUntilStored(List<Outcome> outcomes, Instant claimEnds) {
            for (int failures = 1; ; failures++) {
                try {
                    store.record(work, content, owner, outcomes);
                    return true;
                } catch (StoreException e) {
                    if (!e.isTransient() || Instant.now().isAfter(claimEnds)) {
                        LOG.warnf("%s: could not record %d outcomes before the claim lease ran out: %s", work, outcomes.size(),
                                e.getMessage());
                        return false;
                    }
                    LOG.warnf("%s: database unavailable while recording (%s), retrying", work, e.getMessage());
                    sleepUntil(Instant.now().plus(storeBackoff(failures)), () -> true);
                }
            }
        }
    }

    // sleepUntil wakes at least every second, so a longer backoff would not be honoured.
    private static Duration storeBackoff(int failures) {
        return Duration.ofMillis(Math.min(1_000, 250L << Math.min(failures, 2)));
    }

    private static void sleepUntil(Instant next, BooleanSupplier keepGoing) {
        long millis = Math.min(1_000, Math.max(50, Duration.between(Instant.now(), next).toMillis()));
        try {
            if (keepGoing.getAsBoolean()) {
                Thread.sleep(millis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.debug("interrupted while waiting");
        }
    }
}
