package org.crmbulk.api;

import static org.crmbulk.api.Api.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With no broker reachable, a launch is still accepted and its job waits in the outbox. */
@QuarkusTest
@TestProfile(KafkaDownTest.NoBroker.class)
class KafkaDownTest {

    public static class NoBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Port 9 (discard) has no Kafka broker behind it.
            return Map.of("kafka.bootstrap.servers", "127.0.0.1:9", "crm.outbox.publish-timeout", "1s",
                    "crm.outbox.poll-interval", "0.2s");
        }
    }

    @Test
    void a_launch_accepted_while_kafka_is_down_keeps_its_job_in_the_outbox() throws Exception {
        long list = Api.list("While Kafka sleeps", Api.contact("kd@example.cz", "Kd"));
        long action = Api.bulkAction("S", "B");

        long launch = given().contentType(ContentType.JSON).body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");

        // Three relay rounds fail on the job (each one recorded on its row); it must survive every one of them.
        String job = "FROM outbox WHERE payload LIKE '%\"targetId\":" + launch + ",%'";
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> LaunchApiTest.count("SELECT coalesce(max(attempts), 0) " + job) >= 3);
        assertThat(LaunchApiTest.count("SELECT count(*) " + job)).isEqualTo(1);
        assertThat(LaunchApiTest.count("SELECT count(*) " + job + " AND last_error IS NOT NULL")).as("why it waits is on the row").isEqualTo(1);
        given().get("/api/v1/launches/{id}", launch).then().statusCode(200);
    }
}
