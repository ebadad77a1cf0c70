package org.crmbulk.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Returned mail handed in over HTTP by an MTA: stored once as received, for mail-worker to read; nothing else accepted. */
@QuarkusTest
class InboundReportApiTest {

    private static final Tables.Unchanged UNCHANGED = new Tables.Unchanged();

    private static RequestSpecification mta() {
        return Api.as("mx-bounces", TestTokens.MAIL_INTAKE).contentType("message/rfc822");
    }

    @Test
    void a_report_is_stored_once_however_often_it_is_handed_in_and_reads_back_as_not_yet_processed() {
        byte[] raw = BounceCorpus.fixture("postfix-dsn.eml", "gone@intake.example.cz", "bounces+00@bounces.shop.example.cz", "<m@intake>");

        var first = mta().body(raw).post("/api/v1/inbound-reports").then().statusCode(202)
                .body("source", equalTo("HTTP")).body("processedAt", nullValue()).extract();
        long id = first.jsonPath().getLong("id");
        org.assertj.core.api.Assertions.assertThat(first.header("Location")).endsWith("/api/v1/inbound-reports/" + id);
        mta().body(raw).post("/api/v1/inbound-reports").then().statusCode(202).body("id", equalTo((int) id));

        Api.as("reader", TestTokens.READER).get("/api/v1/inbound-reports/{id}", id).then().statusCode(200)
                .body("id", equalTo((int) id)).body("kind", nullValue()).body("recipients.size()", equalTo(0));
    }

    @Test
    void what_is_not_a_message_is_refused_naming_the_body_and_stores_nothing() throws Exception {
        UNCHANGED.before();
        for (String body : new String[] {"", "{}", "just some words\r\n", "\r\n\r\nno header section"}) {
            mta().body(body.getBytes(StandardCharsets.UTF_8)).post("/api/v1/inbound-reports").then().statusCode(400)
                    .contentType("application/problem+json").body("detail", containsString("body"));
        }
        Api.as("mx-bounces", TestTokens.MAIL_INTAKE).contentType("application/json").body("{\"a\":1}").post("/api/v1/inbound-reports")
                .then().statusCode(415);
        Api.as("manager", TestTokens.MANAGER).contentType("message/rfc822").body("From: a@b.cz\r\n\r\nx".getBytes(StandardCharsets.UTF_8)).post("/api/v1/inbound-reports")
                .then().statusCode(403);
        UNCHANGED.check("nothing stored");
    }
}
