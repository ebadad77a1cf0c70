package org.crmbulk.worker.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import org.crmbulk.contract.events.CloudEvents;
import org.crmbulk.contract.webhook.WebhookSignatures;
import org.crmbulk.contract.webhook.WebhookTargets;
import org.crmbulk.worker.webhook.WebhookStore.Claimed;
import org.crmbulk.worker.webhook.WebhookStore.Result;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.tracing.TracingPolicy;
import jakarta.enterprise.event.Observes;

/**
 * Delivers the webhook deliveries the event log fans out (V20), at least once. One thread claims due deliveries per
 * subscription under a lease and records results in batches; requests go out asynchronously (Vert.x), at most
 * {@code concurrency-per-subscription} in flight per subscription, each bounded by the request timeout — so a slow or
 * hanging endpoint holds only its own lane, never another subscription's or the mail's threads. An attempt starts
 * only while its lease has a full request timeout left, so no two replicas make the same attempt at once; a worker
 * killed mid-flight leaves its claims to expire, and the next attempt carries the same {@code webhook-id}. A lane holds at
 * most {@code batch-size} deliveries claimed and not yet recorded (queued, in flight, or answered and waiting for the next
 * record), so a kill repeats at most that many per subscription.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);
    private static final int ANSWER_BYTES = 1024;
    static final String USER_AGENT = "crm-bulk-activities-webhooks/1";

    private final WebhookStore store;
    private final WebhookConfig config;
    private final WebhookTargets targets;
    private final RetrySchedule retries;
    private final String owner = "worker-" + UUID.randomUUID();
    private final AtomicLong claims = new AtomicLong();
    private final Map<Long, Lane> lanes = new ConcurrentHashMap<>();
    /** Attempts made and not yet recorded, with their subscription (their lane counts them until recorded). */
    private final ConcurrentLinkedQueue<Finished> results = new ConcurrentLinkedQueue<>();

    private record Finished(long subscriptionId, Result result) {
    }
    private final Semaphore wakeUps = new Semaphore(0);
    private final Map<String, Counter> attempts = new HashMap<>();
    private final Map<String, WebhookSignatures.Signer> signers = new ConcurrentHashMap<>();
    private final Vertx vertx;
    private volatile boolean running;
    private Thread thread;

    public WebhookDispatcher(WebhookStore store, WebhookConfig config, MeterRegistry registry, Vertx vertx) {
        this.store = store;
        this.vertx = vertx;
        this.config = config;
        this.targets = new WebhookTargets(config.requireHttps(), config.allowedNetworks().orElse(List.of()));
        this.retries = new RetrySchedule(config.retryBase(), config.retryMax(), config.maxAge());
        for (String result : List.of("delivered", "failed", "dead")) {
            attempts.put(result, Counter.builder("crm.webhook.attempts").description("Webhook attempts by what they came to")
                    .tag("result", result).register(registry));
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("webhooks: this worker delivers none (CRM_WEBHOOKS_ENABLED=false)");
            return;
        }
        running = true;
        thread = new Thread(this::loop, "webhook-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        wakeUps.release();
        thread.join(2_000);
        flush(); // what finished is recorded; what did not is retried when its lease ends
        lanes.values().forEach(lane -> lane.client.close());
    }

    private void loop() {
        while (running) {
            try {
                wakeUps.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
                flush();
                claimAndSend();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("webhooks: a round failed, the next one retries: %s", e.getMessage());
            }
        }
    }

    private void flush() {
        List<Finished> done = new ArrayList<>();
        for (Finished f; (f = results.poll()) != null;) {
            done.add(f);
        }
        try {
            store.record(done.stream().map(Finished::result).toList());
        } catch (RuntimeException e) {
            results.addAll(done); // the database is away: recorded next round (leases may run out meanwhile: at least once)
            throw e;
        }
        done.forEach(f -> {
            Lane lane = lanes.get(f.subscriptionId());
            if (lane != null) {
                lane.recorded();
            }
        });
    }

    private void claimAndSend() {
        for (WebhookStore.Subscription s : store.dueSubscriptions()) {
            Lane lane = lanes.computeIfAbsent(s.id(), id -> new Lane());
            int room = lane.room();
            if (room <= 0) {
                continue;
            }
            int waves = (room + config.concurrencyPerSubscription() - 1) / config.concurrencyPerSubscription();
            String claim = owner + "-" + claims.incrementAndGet();
            List<Claimed> claimed = store.claim(s.id(), room, claim, config.requestTimeout().multipliedBy(waves + 1L));
            if (claimed.isEmpty()) {
                continue;
            }
            Optional<String> refused = targets.problem(s.url()); // again now: what a name resolves to may have changed
            if (refused.isPresent()) {
                claimed.forEach(c -> finish(c, null, "refused without connecting: the URL " + refused.get()));
                continue;
            }
            lane.add(s, claimed);
        }
    }

    /**
     * One subscription's deliveries on this worker: queued after their claim, at most so many in flight, over its own
     * connections — so a hanging endpoint cannot take the connections of another subscription to the same host.
     */
    private final class Lane {
        // Redirects are not followed (a 3xx fails the attempt): a redirect could lead past the SSRF guard. No span per
        // request: at one webhook per delivery, tracing them would cost more than sending them.
        private final HttpClient client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis()).setKeepAlive(true).setVerifyHost(true)
                .setTracingPolicy(TracingPolicy.IGNORE), new PoolOptions().setHttp1MaxSize(config.concurrencyPerSubscription()));
        private final ArrayDeque<Claimed> queue = new ArrayDeque<>();
        private WebhookStore.Subscription subscription;
        private int inFlight;
        /** Attempts ended but not recorded yet: a worker killed now repeats them too, so they count against the batch. */
        private int unrecorded;

        synchronized int room() {
            return config.batchSize() - queue.size() - inFlight - unrecorded;
        }

        synchronized void finished() {
            unrecorded++;
        }

        synchronized void recorded() {
            unrecorded--;
        }

        void add(WebhookStore.Subscription s, List<Claimed> claimed) {
            synchronized (this) {
                subscription = s;
                queue.addAll(claimed);
            }
            pump();
        }

        void pump() {
            while (true) {
                Claimed next;
                WebhookStore.Subscription s;
                synchronized (this) {
                    if (inFlight >= config.concurrencyPerSubscription() || queue.isEmpty()) {
                        return;
                    }
                    next = queue.poll();
                    s = subscription;
                    if (Instant.now().plus(config.requestTimeout()).isAfter(next.leaseEnd())) {
                        continue; // its lease is too short for a whole attempt: another claim will make it
                    }
                    inFlight++;
                }
                send(client, s, next).whenComplete((r, e) -> {
                    boolean low;
                    synchronized (this) {
                        inFlight--;
                        low = queue.size() < config.concurrencyPerSubscription();
                    }
                    if (low) {
                        wakeUps.release(); // running low: claim more
                    }
                    pump();
                });
            }
        }
    }

    private CompletionStage<Void> send(HttpClient client, WebhookStore.Subscription s, Claimed c) {
        if (c.type() == null) {
            finish(c, null, "the event is no longer in the event log");
            return CompletableFuture.completedFuture(null);
        }
        String webhookId = CloudEvents.id(c.eventId());
        byte[] body = CloudEvents.json(CloudEvents.of(c.eventId(), c.type(), c.subject(), OffsetDateTime.ofInstant(c.eventTime(), ZoneOffset.UTC),
                c.data())).getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        RequestOptions request;
        try {
            request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(s.url()).setFollowRedirects(false)
                    .putHeader("content-type", CloudEvents.CONTENT_TYPE).putHeader("user-agent", USER_AGENT)
                    .putHeader("webhook-id", webhookId).putHeader("webhook-timestamp", Long.toString(timestamp))
                    .putHeader("webhook-signature", signers.computeIfAbsent(s.secret(), WebhookSignatures::signer).sign(webhookId, timestamp, body));
        } catch (RuntimeException e) {
            finish(c, null, "refused without connecting: " + e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicBoolean over = new AtomicBoolean();
        AtomicReference<HttpClientRequest> open = new AtomicReference<>();
        BiConsumer<Integer, String> end = (status, answer) -> {
            if (over.compareAndSet(false, true)) {
                finish(c, status, answer);
                done.complete(null);
            }
        };
        long timer = vertx.setTimer(config.requestTimeout().toMillis(), id -> {
            end.accept(null, "no answer within " + config.requestTimeout());
            HttpClientRequest stuck = open.get();
            if (stuck != null) {
                stuck.reset(); // the connection goes: a hanging endpoint keeps nothing of ours
            }
        });
        client.request(request).onSuccess(r -> {
            open.set(r);
            // The answer's handlers are set as its head arrives, before any of its body: none is missed.
            r.response().onSuccess(response -> {
                Buffer kept = Buffer.buffer();
                response.handler(chunk -> { // the first kilobyte is kept, the rest read and dropped
                    int take = Math.min(chunk.length(), ANSWER_BYTES - kept.length());
                    if (take > 0) {
                        kept.appendBuffer(chunk, 0, take);
                    }
                });
                response.exceptionHandler(e -> end.accept(null, String.valueOf(e)));
                response.endHandler(v -> {
                    vertx.cancelTimer(timer);
                    end.accept(response.statusCode(), kept.toString(StandardCharsets.UTF_8));
                });
            }).onFailure(e -> {
                vertx.cancelTimer(timer);
                end.accept(null, String.valueOf(e));
            });
            r.end(Buffer.buffer(body));
        }).onFailure(e -> {
            vertx.cancelTimer(timer);
            end.accept(null, String.valueOf(e));
        });
        return done;
    }

    /** Records what an attempt came to: a 2xx delivers; anything else is retried with backoff until the maximum age. */
    private void finish(Claimed c, Integer status, String answer) {
        String text = answer == null ? null : answer.length() > ANSWER_BYTES ? answer.substring(0, ANSWER_BYTES) : answer;
        if (status != null && status >= 200 && status < 300) {
            attempts.get("delivered").increment();
            finished(c, new Result(c.id(), c.claim(), "DELIVERED", null, status, text));
            return;
        }
        Optional<Instant> next = retries.next(c.attempts(), c.created(), Instant.now(), ThreadLocalRandom.current()::nextDouble);
        attempts.get(next.isPresent() ? "failed" : "dead").increment();
        finished(c, new Result(c.id(), c.claim(), next.isPresent() ? "PENDING" : "DEAD", next.orElse(null), status, text));
    }

    private void finished(Claimed c, Result result) {
        Lane lane = lanes.get(c.subscriptionId());
        if (lane != null) {
            lane.finished();
        }
        results.add(new Finished(c.subscriptionId(), result));
    }
}
