package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesRegex;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.crmbulk.testing.TestTokens;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.SendJobs;
import org.crmbulk.testing.CrmStackResource;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class LaunchApiTest {

    @Test
    void an_accepted_launch_is_queued_and_its_send_job_reaches_kafka() throws Exception {
        long list = Api.list("Customers", Api.contact("eva@example.cz", "Eva"), Api.contact("jan@example.cz", "Jan"));
        long action = Api.bulkAction("Hello {contact.firstName}", "Spring is here.");

        long launch = Api.as("novak", TestTokens.MANAGER).contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches")
                .then().statusCode(202)
                .header("Location", matchesRegex(".*/api/v1/launches/\\d+"))
                .body("status", equalTo("QUEUED"))
                .extract().jsonPath().getLong("id");

        given().get("/api/v1/launches/{id}", launch).then().statusCode(200)
                .body("bulkActionId", equalTo((int) action))
                .body("listIds[0]", equalTo((int) list))
                .body("launchedBy", equalTo("novak"))
                .body("counters.total", equalTo(0));
        assertThat(jobOnKafka(SendJobV1.Kind.LAUNCH, launch)).as("the launch's job reached Kafka").isPresent();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> count("SELECT count(*) FROM outbox") == 0);
    }

    @Test
    void a_launch_over_an_unknown_list_is_refused_and_writes_nothing() throws Exception {
        long action = Api.bulkAction("Hi", "Body");
        long launchesBefore = count("SELECT count(*) FROM launch");
        long jobsBefore = count("SELECT count(*) FROM outbox");

        given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(999_999)))
                .post("/api/v1/launches")
                .then().statusCode(404).contentType("application/problem+json")
                .body("errors[0].field", equalTo("listIds"));

        assertThat(count("SELECT count(*) FROM launch")).isEqualTo(launchesBefore);
        assertThat(count("SELECT count(*) FROM outbox")).isLessThanOrEqualTo(jobsBefore);
    }

    @Test
    void a_launch_of_an_unknown_bulk_action_is_refused() {
        long list = Api.list("Empty");
        given().contentType(ContentType.JSON).body(Map.of("bulkActionId", 424_242, "listIds", List.of(list)))
                .post("/api/v1/launches")
                .then().statusCode(404).contentType("application/problem+json")
                .body("errors[0].field", equalTo("bulkActionId"));
    }

    @Test
    void an_unknown_launch_is_a_404_problem() {
        given().get("/api/v1/launches/{id}", 987_654).then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void deliveries_of_a_launch_page_by_keyset() throws Exception {
        long list = Api.list("Paged", Api.contact("p1@example.cz", "P1"), Api.contact("p2@example.cz", "P2"),
                Api.contact("p3@example.cz", "P3"));
        long launch = given().contentType(ContentType.JSON)
                .body(Map.of("bulkActionId", Api.bulkAction("S", "B"), "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
        // No worker runs in this module: write the deliveries the worker would write.
        try (Connection c = db()) {
            c.createStatement().executeUpdate("INSERT INTO delivery (launch_id, email, status) SELECT " + launch
                    + ", 'p' || g || '@example.cz', 'PENDING' FROM generate_series(1, 3) g");
        }

        var first = given().get("/api/v1/launches/{id}/deliveries?limit=2", launch).then().statusCode(200)
                .extract().jsonPath();
        assertThat(first.getList("items")).hasSize(2);
        long after = first.getLong("nextAfter");
        var second = given().get("/api/v1/launches/{id}/deliveries?limit=2&after=" + after, launch).then().statusCode(200)
                .extract().jsonPath();
        assertThat(second.getList("items.email")).containsExactly("p3@example.cz");
        assertThat(second.getString("nextAfter")).isNull();

        given().get("/api/v1/launches/{id}/deliveries?status=BOGUS", launch).then().statusCode(400)
                .body("errors[0].field", equalTo("status"));
    }

    /** Reads the topic from its start until this job turns up (other tests' jobs are on it too), for up to 15 s. */
    private static java.util.Optional<SendJobV1> jobOnKafka(SendJobV1.Kind kind, long targetId) {
        Properties p = new Properties();
        p.put("bootstrap.servers", System.getProperty(CrmStackResource.KAFKA));
        p.put("group.id", "test-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(SendJobs.DEFAULT_TOPIC));
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    SendJobV1 job = SendJobs.fromJson(r.value());
                    if (job.kind() == kind && job.targetId() == targetId) {
                        return java.util.Optional.of(job);
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(System.getProperty(CrmStackResource.JDBC_URL),
                System.getProperty(CrmStackResource.JDBC_USER), System.getProperty(CrmStackResource.JDBC_PASSWORD));
    }

    static long count(String sql) throws Exception {
        try (Connection c = db(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
