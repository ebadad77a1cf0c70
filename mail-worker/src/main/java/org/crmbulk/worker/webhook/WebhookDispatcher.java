package org.crmbulk.worker.webhook;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
import jakarta.enterprise.event.Observes;

/**
 * Delivers the webhook deliveries the event log fans out (V20), at least once. One thread claims due deliveries per
 * subscription under a lease and records results in batches; requests go out asynchronously, at most
 * {@code concurrency-per-subscription} in flight per subscription, each bounded by the request timeout — so a slow or
 * hanging endpoint holds only its own lane, never another subscription's or the mail's threads. An attempt starts
 * only while its lease has a full request timeout left, so no two replicas make the same attempt at once; a worker
 * killed mid-flight leaves its claims to expire, and the next attempt carries the same {@code webhook-id}.
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
    private final Map<Long, Lane> lanes = new HashMap<>();
    private final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
    private final Semaphore wakeUps = new Semaphore(0);
    private final Map<String, Counter> attempts = new HashMap<>();
    private ExecutorService executor;
    private HttpClient client;
    private volatile boolean running;
    private Thread thread;

    public WebhookDispatcher(WebhookStore store, WebhookConfig config, MeterRegistry registry) {
        this.store = store;
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
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "webhook-http");
            t.setDaemon(true);
            return t;
        });
        client = HttpClient.newBuilder().connectTimeout(config.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor).build();
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
        executor.shutdownNow();
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
        List<Result> done = new ArrayList<>();
        for (Result r; (r = results.poll()) != null;) {
            done.add(r);
        }
        try {
            store.record(done);
        } catch (RuntimeException e) {
            results.addAll(done); // the database is away: recorded next round (leases may run out meanwhile: at least once)
            throw e;
        }
    }

    private void claimAndSend() {
        for (WebhookStore.Subscription s : store.dueSubscriptions()) {
            Lane lane;
            synchronized (lanes) {
                lane = lanes.computeIfAbsent(s.id(), id -> new Lane());
            }
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

    /** One subscription's deliveries on this worker: queued after their claim, and at most so many in flight. */
    private final class Lane {
        private final ArrayDeque<Claimed> queue = new ArrayDeque<>();
        private WebhookStore.Subscription subscription;
        private int inFlight;

        synchronized int room() {
            return config.batchSize() - queue.size() - inFlight;
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
                send(s, next).whenComplete((r, e) -> {
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

    private CompletionStage<Void> send(WebhookStore.Subscription s, Claimed c) {
        if (c.type() == null) {
            finish(c, null, "the event is no longer in the event log");
            return CompletableFuture.completedFuture(null);
        }
        String webhookId = CloudEvents.id(c.eventId());
        byte[] body = CloudEvents.json(CloudEvents.of(c.eventId(), c.type(), c.subject(), OffsetDateTime.ofInstant(c.eventTime(), ZoneOffset.UTC),
                c.data())).getBytes(StandardCharsets.UTF_8);
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(s.url())).timeout(config.requestTimeout())
                    .header("content-type", CloudEvents.CONTENT_TYPE).header("user-agent", USER_AGENT)
                    .header("webhook-id", webhookId).header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", WebhookSignatures.sign(s.secret(), webhookId, timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        } catch (IllegalArgumentException e) {
            finish(c, null, "refused without connecting: " + e.getMessage());
            return CompletableFuture.completedFuture(null);
        }
        return client.sendAsync(request, info -> new Answer()).handle((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                finish(c, null, cause instanceof HttpTimeoutException ? "no answer within " + config.requestTimeout() : String.valueOf(cause));
            } else {
                finish(c, response.statusCode(), response.body());
            }
            return null;
        });
    }

    /** Records what an attempt came to: a 2xx delivers; anything else is retried with backoff until the maximum age. */
    private void finish(Claimed c, Integer status, String answer) {
        String text = answer == null ? null : answer.length() > ANSWER_BYTES ? answer.substring(0, ANSWER_BYTES) : answer;
        if (status != null && status >= 200 && status < 300) {
            attempts.get("delivered").increment();
            results.add(new Result(c.id(), c.claim(), "DELIVERED", null, status, text));
            return;
        }
        Optional<Instant> next = retries.next(c.attempts(), c.created(), Instant.now(), ThreadLocalRandom.current()::nextDouble);
        attempts.get(next.isPresent() ? "failed" : "dead").increment();
        results.add(new Result(c.id(), c.claim(), next.isPresent() ? "PENDING" : "DEAD", next.orElse(null), status, text));
    }

    /** The first bytes of an answer's body as text; the rest is read and dropped, so a huge answer costs no memory. */
    private static final class Answer implements HttpResponse.BodySubscriber<String> {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer b : items) {
                int take = Math.min(b.remaining(), ANSWER_BYTES - kept.size());
                if (take > 0) {
                    byte[] bytes = new byte[take];
                    b.get(bytes);
                    kept.writeBytes(bytes);
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(kept.toString(StandardCharsets.UTF_8));
        }
    }
}
