package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** What an operator sees of a launch: one trace from the HTTP request to the SMTP send, JSON logs, and metrics. */
class ObservabilitySystemTest {

    @Test
    void the_callers_trace_runs_through_the_outbox_and_kafka_into_the_workers_json_logs() throws Exception {
        Stack stack = Stack.shared();
        String traceId = HexFormat.of().formatHex(randomBytes(16));
        long list = SystemApi.importedList("traced", "tr" + UUID.randomUUID().toString().substring(0, 4), 30);
        long action = SystemApi.textBulkAction("Traced {contact.firstName}", "Hello.");

        String location = given().header("traceparent", "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-00")
                .contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
        long launchId = SystemApi.launch(location).getLong("id");
        SystemApi.awaitFinal(location, Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonPath> traced = jsonLogLines(stack, traceId).filter(l -> traceId.equals(l.getString("mdc.traceId"))).toList();
            assertThat(traced).as("api-service logged the acceptance in the caller's trace")
                    .anySatisfy(l -> assertThat(l.getString("message")).contains("launch " + launchId + " ").contains("accepted from system-test"));
            assertThat(traced).as("the worker that drove the launch logged in the same trace, with the launch ID as a field")
                    .anySatisfy(l -> {
                        assertThat(l.getString("loggerName")).startsWith("org.crmbulk.worker");
                        assertThat(l.getString("mdc.launchId")).isEqualTo(Long.toString(launchId));
                    });
        });
    }

    @Test
    void metrics_show_sends_by_mode_and_relay_latency_outbox_backlog_consumer_lag_and_launches_by_status() throws Exception {
        Stack stack = Stack.shared();
        long list = SystemApi.importedList("metered", "me" + UUID.randomUUID().toString().substring(0, 4), 10);
        long action = SystemApi.textBulkAction("Metered", "Hello.");
        String relay = "relay=\"127.0.0.1:" + stack.smtp.port() + "\"";
        // The processes are shared with other tests: what this launch did is the difference, and it is exact.
        double sends = Mails.metric(stack.worker, "crm_mail_sends_total", "mode=\"launch\"", relay, "result=\"accepted\"");
        double sent = Mails.metric(stack.worker, "crm_mail_deliveries_total", "mode=\"launch\"", relay, "outcome=\"sent\"");
        double timed = Mails.metric(stack.worker, "crm_mail_send_duration_seconds_count", "mode=\"launch\"", relay);
        double inf = Mails.metric(stack.worker, "crm_mail_send_duration_seconds_bucket", "mode=\"launch\"", relay, "le=\"+Inf\"");
        double completed = awaitSettled(stack.api, "crm_launches", "status=\"COMPLETED\"");

        String location = SystemApi.startLaunch(action, list);
        SystemApi.awaitFinal(location, Duration.ofSeconds(60));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(Mails.metric(stack.worker, "crm_mail_sends_total", "mode=\"launch\"", relay, "result=\"accepted\"") - sends).isEqualTo(10);
            assertThat(Mails.metric(stack.worker, "crm_mail_deliveries_total", "mode=\"launch\"", relay, "outcome=\"sent\"") - sent).isEqualTo(10);
            assertThat(Mails.metric(stack.worker, "crm_mail_send_duration_seconds_count", "mode=\"launch\"", relay) - timed).isEqualTo(10);
            assertThat(Mails.metric(stack.worker, "crm_mail_send_duration_seconds_bucket", "mode=\"launch\"", relay, "le=\"+Inf\"") - inf)
                    .isEqualTo(10);
            assertThat(Mails.metric(stack.api, "crm_launches", "status=\"COMPLETED\"") - completed).isEqualTo(1);
        });
        assertThat(metricNames(stack.worker)).as("consumer lag of the send-jobs consumer").anyMatch(n -> n.startsWith("kafka_consumer_fetch_manager_records_lag"));
        assertThat(metricNames(stack.api)).contains("crm_outbox_backlog", "crm_outbox_oldest_age_seconds");
        // The launch's events enter the outbox with its last changes; the relay publishes them within a poll or two.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(Mails.metric(stack.api, "crm_outbox_backlog")).as("everything was published").isZero());
        SystemApi.assertCountersMatchRows(SystemApi.launch(location).getLong("id"));
    }

    /** A gauge's value once two refreshes (1 s apart in the system tests) agree: what earlier tests left has landed. */
    private static double awaitSettled(ServiceProcess service, String name, String... labels) {
        double[] last = {Double.NaN};
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(1_100)).until(() -> {
            double now = Mails.metric(service, name, labels);
            boolean same = now == last[0];
            last[0] = now;
            return same;
        });
        return last[0];
    }

    private static List<String> metricNames(ServiceProcess service) {
        return given().baseUri(service.baseUrl()).get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l.split("[{ ]", 2)[0]).distinct().toList();
    }

    /** The JSON log lines of every service that mention the text (parsing only those keeps each poll fast). */
    private static Stream<JsonPath> jsonLogLines(Stack stack, String mentioning) throws IOException {
        Path logs = stack.api.logFile().getParent();
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(f -> f.toString().endsWith(".log")).toList().stream().flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(l -> l.startsWith("{") && l.contains(mentioning)).map(JsonPath::from);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
