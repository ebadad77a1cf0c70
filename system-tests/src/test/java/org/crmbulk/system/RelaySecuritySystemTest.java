package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.crmbulk.testing.FaultySmtpServer;
import org.crmbulk.testing.TestSmtp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.path.json.JsonPath;

/** The worker talks to a relay over TLS with AUTH, refuses to send in clear when TLS is required, and never logs the password. */
class RelaySecuritySystemTest {

    private static final String USER = "crm-relay";
    private static final String PASSWORD = Secrets.used("s3cret-" + UUID.randomUUID());
    private static final String WRONG_PASSWORD = Secrets.used("wrong-" + PASSWORD);

    private static Stack stack;
    private static TestSmtp secureRelay;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.shared();
        secureRelay = TestSmtp.startTls(USER, PASSWORD);
        stack.worker.close();
    }

    @AfterAll
    static void stop() throws Exception {
        secureRelay.close();
        stack.restoreWorker();
    }

    @Test
    void over_implicit_tls_with_the_right_credentials_every_member_gets_the_mail_and_the_password_is_not_logged() throws Exception {
        ServiceProcess worker = stack.startWorker(relay(secureRelay.port(), PASSWORD, "DISABLED", true));
        try {
            JsonPath done = SystemApi.awaitFinal(launch(3), Duration.ofSeconds(60));
            assertThat(done.getString("status")).isEqualTo("COMPLETED");
            assertThat(done.getInt("counters.sent")).isEqualTo(3);
            assertThat(secureRelay.received()).hasSize(3);
            SystemApi.assertCountersMatchRows(done.getLong("id"));
        } finally {
            worker.close();
        }
        assertThat(Files.readString(worker.logFile())).as("the SMTP password never reaches the log").doesNotContain(PASSWORD);
    }

    @Test
    void a_wrong_password_pauses_the_launch_with_the_relays_refusal_instead_of_failing_every_member() throws Exception {
        ServiceProcess worker = stack.startWorker(relay(secureRelay.port(), WRONG_PASSWORD, "DISABLED", true));
        try {
            JsonPath paused = SystemApi.awaitStatus(launch(3), Duration.ofSeconds(60), Set.of("PAUSED"));
            assertThat(paused.getString("pauseReason")).contains("AuthenticationFailed");
            assertThat(paused.getInt("counters.failed")).as("nobody marked failed for the relay's refusal").isZero();
            assertThat(paused.getInt("counters.pending")).isEqualTo(3);
            SystemApi.assertCountersMatchRows(paused.getLong("id"));
        } finally {
            worker.close();
        }
    }

    @Test
    void with_starttls_required_a_relay_without_it_gets_nothing_in_clear() throws Exception {
        try (FaultySmtpServer plain = new FaultySmtpServer()) {
            ServiceProcess worker = stack.startWorker(relay(plain.port(), null, "REQUIRED", false));
            try {
                JsonPath paused = SystemApi.awaitStatus(launch(3), Duration.ofSeconds(60), Set.of("PAUSED"));
                assertThat(paused.getString("pauseReason")).contains("STARTTLS");
                SystemApi.assertCountersMatchRows(paused.getLong("id"));
            } finally {
                worker.close();
            }
            // From the relay's own transcript: after its EHLO the client said nothing but goodbye, in any session
            // (the readiness probe's connections say nothing at all).
            assertThat(plain.transcripts().stream().filter(t -> !t.isEmpty()).toList()).as("SMTP sessions the worker opened")
                    .isNotEmpty().allSatisfy(session -> {
                assertThat(session.get(0)).startsWithIgnoringCase("EHLO");
                assertThat(session.subList(1, session.size())).allSatisfy(command -> assertThat(command).isEqualToIgnoringCase("QUIT"));
            });
            assertThat(plain.accepted()).isEmpty();
        }
    }

    private static Map<String, String> relay(int port, String password, String startTls, boolean tls) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("CRM_SMTP_PORT", String.valueOf(port),
                "CRM_SMTP_STARTTLS", startTls, "CRM_SMTP_TLS", String.valueOf(tls), "CRM_SMTP_TRUST_ALL", String.valueOf(tls),
                "MAIL_DELIVERY_PAUSE_AFTER_CONSECUTIVE_FAILURES", "3"));
        if (password != null) {
            env.put("CRM_SMTP_USER", USER);
            env.put("CRM_SMTP_PASSWORD", password);
        }
        return env;
    }

    private static String launch(int recipients) {
        long list = SystemApi.importedList("relay security", "sec" + UUID.randomUUID().toString().substring(0, 6), recipients);
        long action = SystemApi.textBulkAction("Hi", "Hello.");
        return SystemApi.startLaunch(action, list);
    }
}
