package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.crmbulk.testing.TcpProxy;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.mail.internet.MimeMessage;

/**
 * PostgreSQL goes away mid-launch and comes back. The services reach it through a TCP proxy that
 * resets every connection and refuses new ones, which is what a restart looks like from a client.
 */
class DatabaseOutageSystemTest {

    @Test
    void a_database_outage_mid_launch_gets_503_from_the_api_and_the_launch_finishes_afterwards_without_loss() throws Exception {
        Stack stack = Stack.shared();
        URI db = URI.create(stack.postgres.jdbcUrl().substring("jdbc:".length()));
        int recipients = 600;
        long list = SystemApi.importedList("db outage", "dbo" + UUID.randomUUID().toString().substring(0, 4), recipients);
        long action = SystemApi.textBulkAction("Hi {contact.firstName}", "Hello.");

        // Only services behind the proxy may work on this launch: the shared worker steps aside.
        stack.worker.close();
        try (TcpProxy proxy = TcpProxy.to(db.getHost(), db.getPort())) {
            String viaProxy = stack.postgres.jdbcUrl().replace(":" + db.getPort() + "/", ":" + proxy.port() + "/");
            ServiceProcess api = stack.startApiReplica("api-service-db-proxy", Map.of("CRM_DB_URL", viaProxy));
            // A claim lease longer than the outage: sent outcomes are held and recorded when the database is back.
            ServiceProcess worker = stack.startWorker(Map.of("CRM_DB_URL", viaProxy, "CRM_CLAIM_LEASE", "60s"));
            try {
                stack.smtp.purge();
                String location = given().baseUri(api.baseUrl()).contentType(ContentType.JSON)
                        .body(Map.of("bulkActionId", action, "listIds", List.of(list)))
                        .post("/api/v1/launches").then().statusCode(202).extract().header("Location");
                String path = URI.create(location).getPath();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> stack.smtp.received().size() >= 100);

                proxy.cut();
                int seenAtCut = stack.smtp.received().size();
                Response read = awaitUnavailable(api, path);
                assertThat(read.contentType()).startsWith("application/problem+json");
                assertThat(read.header("Retry-After")).isEqualTo("5");
                assertThat(read.jsonPath().getString("detail")).contains("database is unavailable");
                String email = "written-during-outage-" + UUID.randomUUID() + "@example.cz";
                given().baseUri(api.baseUrl()).contentType(ContentType.JSON).body(Map.of("email", email))
                        .post("/api/v1/contacts").then().statusCode(503);
                Thread.sleep(6_000);
                int seenDuringOutage = stack.smtp.received().size();
                proxy.restore();

                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> given().baseUri(api.baseUrl()).get(path).statusCode() == 200);
                JsonPath done = SystemApi.awaitFinal(location, Duration.ofSeconds(120));
                List<MimeMessage> mails = stack.smtp.received();
                Map<String, Long> perRecipient = mails.stream()
                        .collect(Collectors.groupingBy(Mails::recipient, Collectors.counting()));
                System.out.printf("database outage report: recipients=%d, SMTP messages at cut=%d, after 6 s of outage=%d, "
                        + "total=%d, lost=%d, extra=%d, possibleDuplicates=%d%n", recipients, seenAtCut, seenDuringOutage,
                        mails.size(), recipients - perRecipient.size(), mails.size() - recipients, done.getInt("possibleDuplicates"));
                assertThat(done.getString("status")).isEqualTo("COMPLETED");
                assertThat(done.getInt("counters.sent")).isEqualTo(recipients);
                assertThat(perRecipient).as("nothing lost").hasSize(recipients);
                assertThat(seenDuringOutage).as("mail went on during the outage").isGreaterThan(seenAtCut);
                assertThat(mails).as("no resend: the outage's outcomes were held and recorded, not sent again").hasSize(recipients);
                assertThat(done.getInt("possibleDuplicates")).isZero();
                // Every message the relay took, those of the outage too, is recorded as its recipient's SENT delivery.
                Map<String, String> recorded = new java.util.HashMap<>();
                try (java.sql.Connection c = stack.postgres.connect(); java.sql.ResultSet rs = c.createStatement().executeQuery(
                        "SELECT lower(email), message_id FROM delivery WHERE status = 'SENT' AND launch_id = " + done.getLong("id"))) {
                    while (rs.next()) {
                        recorded.put(rs.getString(1), rs.getString(2));
                    }
                }
                assertThat(mails).allSatisfy(m -> assertThat(recorded.get(Mails.recipient(m))).isEqualTo(Mails.header(m, "Message-ID")));
                SystemApi.assertCountersMatchRows(done.getLong("id"));
                given().get("/api/v1/contacts?email={e}", email).then().statusCode(200)
                        .body("items", org.hamcrest.Matchers.empty());
            } finally {
                worker.close();
                api.close();
            }
        } finally {
            stack.restoreWorker();
        }
    }

    /** The first read that fails after the cut: the pool may still hand out a connection that is being reset. */
    private static Response awaitUnavailable(ServiceProcess api, String path) {
        Response[] last = new Response[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = given().baseUri(api.baseUrl()).get(path);
            return last[0].statusCode() == 503;
        });
        return last[0];
    }
}
