package org.crmbulk.system;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.crmbulk.testing.TestKafka;
import org.crmbulk.testing.TestPostgres;
import org.crmbulk.testing.TestImap;
import org.crmbulk.testing.TestSmtp;
import org.crmbulk.testing.TestTokens;

/**
 * The real broker, database and SMTP server, plus the two packaged services started against them:
 * one for the whole test run, stopped when the test session ends.
 */
final class Stack implements AutoCloseable {

    private static Stack shared;

    /** Deliveries a test worker claims per batch, and its send loops per launch: at most their product is in flight at a crash. */
    static final int BATCH = 20;
    static final int LOOPS = 2;
    static final int MAX_IN_FLIGHT = BATCH * LOOPS;

    static final String BEARER = "Bearer " + TestTokens.everyRole("system-test");
    private static final java.nio.file.Path JWT_PUBLIC_KEY = TestTokens.publicKeyFile();

    /** Closes the run's stack, if one was started (by {@link StackSessionListener} when the test session ends). */
    static synchronized void closeShared() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** The run's stack if a test has started it, else null. */
    static synchronized Stack startedOrNull() {
        return shared;
    }

    /** The run's stack with api-service and one worker up; started on first use. */
    static synchronized Stack shared() throws IOException {
        if (shared == null) {
            // A worker killed mid-DATA makes GreenMail's session thread throw; that is the fault under test, not a failure.
            org.awaitility.Awaitility.doNotCatchUncaughtExceptionsByDefault();
            Stack stack = new Stack();
            try {
                io.restassured.RestAssured.baseURI = stack.startApi().baseUrl();
                // The tests call as one person holding every role; who may do what is api-service's AccessControlTest.
                io.restassured.RestAssured.requestSpecification = new io.restassured.builder.RequestSpecBuilder()
                        .addHeader("Authorization", BEARER).build();
                stack.worker = stack.startWorker();
            } catch (IOException | RuntimeException e) {
                stack.close(); // a half-started stack must not outlive the run
                throw e;
            }
            shared = stack;
        }
        return shared;
    }

    ServiceProcess worker;
    private ServiceProcess secondApi;

    /** A second api-service replica on the same database and broker, started on first use. */
    synchronized ServiceProcess secondApi() throws IOException {
        if (secondApi == null) {
            int port = ServiceProcess.freePort();
            Map<String, String> env = common();
            env.put("CRM_API_PORT", String.valueOf(port));
            secondApi = ServiceProcess.start("api-service", "api-service-2", port, env);
            processes.add(secondApi);
        }
        return secondApi;
    }

    final TestKafka kafka = TestKafka.start();
    final TestPostgres postgres = TestPostgres.createFreshDatabase();
    final TestSmtp smtp = TestSmtp.start();
    /** The bounce mailbox the workers poll (IMAP), and its login, a secret like the others. */
    final String bounceMailboxPassword = Secrets.used("imap-" + java.util.UUID.randomUUID());
    final TestImap bounceMailbox = TestImap.start(bounceMailboxPassword);
    static final String BOUNCE_DOMAIN = "bounces.system-test.example";
    /** The port of the page that embeds the web components from another origin (http://localhost:port; the API is 127.0.0.1). */
    static final int UI_HOST_PORT = freePort();
    ServiceProcess api;
    // Synchronized: a test may start two workers at once.
    private final java.util.List<ServiceProcess> processes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final java.util.concurrent.atomic.AtomicInteger workers = new java.util.concurrent.atomic.AtomicInteger();

    /** The key of this run's unsubscribe links (id=secret), a secret like the database password. */
    final String unsubscribeKeys = "sys=" + Secrets.used("unsub-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID());
    final String erasureKey = Secrets.used("erasure-" + java.util.UUID.randomUUID() + java.util.UUID.randomUUID());

    Stack() {
        kafka.createTopics(4, "crm.mail.send-jobs");
        Secrets.used(postgres.password());
    }

    /** One more api-service process with some settings changed (e.g. reaching the database through a proxy). */
    ServiceProcess startApiReplica(String name, Map<String, String> overrides) throws IOException {
        int port = ServiceProcess.freePort();
        Map<String, String> env = common();
        env.put("CRM_API_PORT", String.valueOf(port));
        env.putAll(overrides);
        ServiceProcess replica = ServiceProcess.start("api-service", name, port, env);
        processes.add(replica);
        return replica;
    }

    ServiceProcess startApi() throws IOException {
        int port = ServiceProcess.freePort();
        Map<String, String> env = common();
        env.put("CRM_API_PORT", String.valueOf(port));
        api = ServiceProcess.start("api-service", "api-service", port, env);
        processes.add(api);
        return api;
    }

    /** Stops the shared worker and starts one with these settings in its place (a test class's own relay, limits). */
    void replaceWorker(Map<String, String> overrides) throws IOException {
        worker.close();
        worker = startWorker(overrides);
    }

    /** Puts a worker with the stack's settings back in place of a replaced or stopped one. */
    void restoreWorker() throws IOException {
        worker.close();
        worker = startWorker();
    }

    /** Short leases so that a killed worker's launch is taken over within seconds. */
    ServiceProcess startWorker() throws IOException {
        return startWorker(Map.of());
    }

    /** A worker with some settings changed, e.g. pointed at another relay. */
    ServiceProcess startWorker(Map<String, String> overrides) throws IOException {
        int port = ServiceProcess.freePort();
        Map<String, String> env = common();
        env.put("CRM_WORKER_PORT", String.valueOf(port));
        env.put("CRM_SMTP_HOST", "127.0.0.1");
        env.put("CRM_SMTP_PORT", String.valueOf(smtp.port()));
        env.put("CRM_SMTP_STARTTLS", "DISABLED");
        env.put("CRM_DELIVERY_BATCH_SIZE", String.valueOf(BATCH));
        env.put("MAIL_DELIVERY_LOOPS_PER_LAUNCH", String.valueOf(LOOPS));
        env.put("CRM_WORK_LEASE", "3s");
        env.put("CRM_HEARTBEAT_INTERVAL", "1s");
        env.put("CRM_CLAIM_LEASE", "4s");
        env.put("CRM_SWEEP_INTERVAL", "1s");
        env.put("CRM_HELP_INTERVAL", "500ms");
        env.put("CRM_BOUNCE_DOMAIN", BOUNCE_DOMAIN);
        env.put("CRM_BOUNCE_IMAP_HOST", "127.0.0.1");
        env.put("CRM_BOUNCE_IMAP_PORT", String.valueOf(bounceMailbox.port()));
        env.put("CRM_BOUNCE_IMAP_TLS", "false");
        env.put("CRM_BOUNCE_IMAP_USER", TestImap.USER);
        env.put("CRM_BOUNCE_IMAP_PASSWORD", bounceMailboxPassword);
        env.put("CRM_BOUNCE_POLL_INTERVAL", "1s");
        // Webhooks: short attempts and leases, so a killed worker's claims are retried within seconds.
        env.put("CRM_WEBHOOKS_REQUEST_TIMEOUT", "2s");
        env.put("CRM_WEBHOOKS_RETRY_BASE", "500ms");
        env.put("CRM_WEBHOOKS_CONCURRENCY", "4");
        env.put("CRM_WEBHOOKS_BATCH_SIZE", "8");
        env.put("CRM_WEBHOOKS_POLL_INTERVAL", "200ms");
        env.putAll(overrides);
        ServiceProcess worker = ServiceProcess.start("mail-worker", "mail-worker-" + workers.incrementAndGet(), port, env);
        processes.add(worker);
        return worker;
    }

    private Map<String, String> common() {
        Map<String, String> env = new HashMap<>();
        env.put("CRM_DB_URL", postgres.jdbcUrl());
        env.put("CRM_DB_USER", postgres.user());
        env.put("CRM_DB_PASSWORD", postgres.password());
        env.put("CRM_KAFKA_BOOTSTRAP", kafka.bootstrapServers());
        env.put("CRM_JWT_PUBLIC_KEY_LOCATION", JWT_PUBLIC_KEY.toString());
        env.put("CRM_JWT_ISSUER", TestTokens.ISSUER);
        env.put("CRM_ACTIVITY_MAIL_FROM", "crm@system-test.example");
        env.put("CRM_LOG_JSON", "true"); // as in prod: one JSON object per line, with trace and launch IDs
        env.put("CRM_METRICS_REFRESH_INTERVAL", "1s");
        env.put("CRM_UNSUBSCRIBE_KEYS", unsubscribeKeys);
        env.put("CRM_ERASURE_KEY", erasureKey);
        env.put("CRM_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.1"); // the tests' webhook receiver; nothing else private
        env.put("CRM_UI_ALLOWED_ORIGINS", "http://localhost:" + UI_HOST_PORT);
        if (api != null) {
            env.put("CRM_PUBLIC_BASE_URL", api.baseUrl()); // the links in the catcher's mail reach this run's api-service
        }
        return env;
    }

    /** Stops everything, each part on its own: one that fails to stop must not leave the others running. */
    @Override
    public void close() {
        java.util.List.copyOf(processes).forEach(p -> quietly(p::close));
        quietly(smtp::close);
        quietly(bounceMailbox::close);
        quietly(kafka::close);
        quietly(postgres::close);
    }

    private static int freePort() {
        try {
            return ServiceProcess.freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void quietly(Runnable stop) {
        try {
            stop.run();
        } catch (RuntimeException e) {
            System.err.println("stack: could not stop a part cleanly: " + e);
        }
    }
}
