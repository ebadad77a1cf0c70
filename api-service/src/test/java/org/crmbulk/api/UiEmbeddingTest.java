package org.crmbulk.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

import java.util.List;
import java.util.Optional;

import org.crmbulk.api.ui.UiConfig;
import org.crmbulk.api.ui.UiHeaders;
import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The web components under /ui/ and the API they call, seen from the page of an ERP that embeds them: only the
 * configured origin (tests: https://erp.example.test) gets CORS answers and may frame the pages; no cookie is involved.
 */
@QuarkusTest
class UiEmbeddingTest {

    private static final String ERP = "https://erp.example.test";

    @Test
    void the_pages_and_components_are_served_to_anyone_with_a_policy_that_loads_nothing_from_elsewhere() {
        for (String path : List.of("/ui/", "/ui/index.html", "/ui/embed.html", "/ui/crm-ui.js", "/ui/page.js", "/ui/embed.js", "/ui/page.css")) {
            given().get(path).then().statusCode(200)
                    .header("Content-Security-Policy", containsString("default-src 'self'"))
                    .header("Content-Security-Policy", containsString("script-src 'self';"))
                    .header("Content-Security-Policy", containsString("frame-ancestors 'self' " + ERP))
                    .header("X-Content-Type-Options", "nosniff").header("Set-Cookie", nullValue());
        }
        given().get("/ui/crm-ui.js").then().contentType(containsString("javascript"));
    }

    @Test
    void the_allowed_origin_may_load_the_components_and_call_the_api_with_a_bearer_token_and_read_the_location() {
        given().header("Origin", ERP).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
                .options("/api/v1/launches").then().statusCode(204)
                .header("Access-Control-Allow-Origin", ERP)
                .header("Access-Control-Allow-Headers", containsString("Idempotency-Key"))
                .header("Access-Control-Allow-Methods", containsString("POST"))
                .header("Access-Control-Allow-Credentials", nullValue());
        given().header("Origin", ERP).header("Authorization", "Bearer " + TestTokens.withRoles("erp", TestTokens.READER))
                .get("/api/v1/launches").then().statusCode(200)
                .header("Access-Control-Allow-Origin", ERP).header("Access-Control-Expose-Headers", containsString("Location"));
        given().header("Origin", ERP).get("/api/v1/launches").then().statusCode(401).header("Access-Control-Allow-Origin", ERP);
        given().header("Origin", ERP).get("/ui/crm-ui.js").then().statusCode(200).header("Access-Control-Allow-Origin", ERP);
    }

    @Test
    void any_other_origin_gets_no_cors_answer_and_nothing_else_changes_for_it() {
        for (String origin : List.of("https://evil.example", "https://erp.example.test.evil.example", "http://erp.example.test", "null")) {
            given().header("Origin", origin).header("Access-Control-Request-Method", "POST").options("/api/v1/launches").then()
                    .header("Access-Control-Allow-Origin", nullValue()).header("Access-Control-Allow-Methods", nullValue());
            given().header("Origin", origin).header("Authorization", "Bearer " + TestTokens.withRoles("erp", TestTokens.READER))
                    .get("/api/v1/launches").then().statusCode(200).header("Access-Control-Allow-Origin", nullValue());
        }
    }

    @Test
    void a_configured_origin_that_is_not_an_origin_stops_the_service_from_starting() {
        for (String bad : List.of("*", "https://erp.example/path", "erp.example", "https://erp.example/", "javascript:alert(1)",
                "https://erp.example 'unsafe-inline'")) {
            UiConfig config = () -> Optional.of(List.of(bad));
            assertThatThrownBy(() -> new UiHeaders(config)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("CRM_UI_ALLOWED_ORIGINS");
        }
        UiConfig two = () -> Optional.of(List.of("https://a.example", "http://[::1]:8080"));
        assertThat(new UiHeaders(two).policy()).endsWith("frame-ancestors 'self' https://a.example http://[::1]:8080");
    }
}
