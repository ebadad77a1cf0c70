package org.crmbulk.api;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * Who may call what, for every operation of openapi.yaml:
 *
 * <pre>
 *   operation              no token  bad token  crm-reader  campaign-manager  codebook-admin  privacy-officer  mail-intake  webhook-admin
 *   read (GET)             401       401        allowed     allowed           allowed         allowed          403          403
 *   codebook write         401       401        403         403               allowed         403              403          403
 *   erasures (all)         401       401        403         403               403             allowed          403          403
 *   returned mail intake   401       401        403         403               403             403              allowed      403
 *   webhooks (all)         401       401        403         403               403             403              403          allowed
 *   any other write        401       401        403         allowed           403             403              403          403
 *   public pages (/u/)     open      open       open        open              open            open             open         open
 *   health, metrics, docs  open      open       open        open              open            open             open         open
 * </pre>
 *
 * "Allowed" means the request reached the endpoint: with unknown IDs and empty bodies it answers
 * 404/400/415/422, never 401 or 403. Allowed or not, no call changes any table.
 */
@QuarkusTest
class AccessControlTest {

    enum Kind { READ, CODEBOOK_WRITE, ERASURE, INTAKE, WEBHOOK, WRITE, PUBLIC }

    enum Caller {
        NO_TOKEN(null), EXPIRED(null), WRONG_ISSUER(null), WRONG_AUDIENCE(null), FORGED_ROLES(null),
        READER(TestTokens.READER), MANAGER(TestTokens.MANAGER), CODEBOOK_ADMIN(TestTokens.CODEBOOK_ADMIN),
        PRIVACY_OFFICER(TestTokens.PRIVACY_OFFICER), MAIL_INTAKE(TestTokens.MAIL_INTAKE),
        WEBHOOK_ADMIN(TestTokens.WEBHOOK_ADMIN);

        final String role;

        Caller(String role) {
            this.role = role;
        }
    }

    private static final int ALLOWED = 0;
    private static final Tables.Unchanged UNCHANGED = new Tables.Unchanged();

    private static final Map<Kind, Map<Caller, Integer>> TABLE = Map.of(
            Kind.READ, expect(401, 401, 401, 401, 401, ALLOWED, ALLOWED, ALLOWED, ALLOWED, 403, 403),
            Kind.CODEBOOK_WRITE, expect(401, 401, 401, 401, 401, 403, 403, ALLOWED, 403, 403, 403),
            // Erasure's audit names who erased whom and why: only privacy officers read it.
            Kind.ERASURE, expect(401, 401, 401, 401, 401, 403, 403, 403, ALLOWED, 403, 403),
            // An MTA's token hands in returned mail and does nothing else.
            Kind.INTAKE, expect(401, 401, 401, 401, 401, 403, 403, 403, 403, ALLOWED, 403),
            // Webhook subscriptions hold signing secrets and point outside: their own role, which reads nothing else.
            Kind.WEBHOOK, expect(401, 401, 401, 401, 401, 403, 403, 403, 403, 403, ALLOWED),
            Kind.WRITE, expect(401, 401, 401, 401, 401, 403, ALLOWED, 403, 403, 403, 403),
            // A token is neither needed nor looked at; a made-up link token gets the public 404 page from anyone.
            Kind.PUBLIC, expect(404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404));

    @TestFactory
    Stream<DynamicTest> every_operation_answers_each_caller_as_the_table_says() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Contract.Operation op : Contract.operations()) {
            Kind kind = op.isPublic() ? Kind.PUBLIC
                    : op.path().startsWith("/api/v1/erasures") ? Kind.ERASURE
                    : op.path().startsWith("/api/v1/webhooks") ? Kind.WEBHOOK
                    : op.method().equals("GET") ? Kind.READ
                    : op.path().startsWith("/api/v1/inbound-reports") ? Kind.INTAKE
                    : op.path().startsWith("/api/v1/codebooks") ? Kind.CODEBOOK_WRITE : Kind.WRITE;
            // Every caller of one operation, then one look at the tables: none of the calls may have changed anything.
            tests.add(DynamicTest.dynamicTest(op + " as each caller", () -> {
                UNCHANGED.before();
                try {
                    for (Caller caller : Caller.values()) {
                        int expected = TABLE.get(kind).get(caller);
                        try {
                            check(op, caller, expected);
                        } catch (AssertionError e) {
                            throw new AssertionError(op + " as " + caller + " -> " + (expected == ALLOWED ? "allowed" : expected)
                                    + ": " + e.getMessage(), e);
                        }
                    }
                } catch (AssertionError | RuntimeException e) {
                    UNCHANGED.forget(); // it may have written: the next check starts from a fresh fingerprint
                    throw e;
                }
                UNCHANGED.check(op + ": nothing changed, whoever called");
            }));
        }
        return tests.stream();
    }

    @Test
    void health_metrics_and_the_contract_need_no_token() {
        for (String open : List.of("/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            RestAssured.given().get(open).then().statusCode(200);
        }
    }

    private static void check(Contract.Operation op, Caller caller, int expected) {
        String path = op.path().replaceAll("\\{codebook\\}", "ZZ_ACCESS").replaceAll("\\{key\\}", "K")
                .replaceAll("\\{[A-Za-z]+\\}", "987654321");
        RequestSpecification request = as(caller);
        JsonNode body = op.node().path("requestBody").path("content");
        String mediaType = body.isObject() && body.fieldNames().hasNext() ? body.fieldNames().next() : null;
        if ("multipart/form-data".equals(mediaType)) {
            request.multiPart("file", "note.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
        } else if (mediaType != null) {
            request.contentType(mediaType);
            String text = mediaType.equals("text/csv") ? "email\n" : "{}";
            if (mediaType.equals("message/rfc822")) {
                request.body(text.getBytes(StandardCharsets.UTF_8)); // no encoder of its own: as bytes
            } else {
                request.body(text);
            }
        }
        var response = request.request(op.method(), path).then();
        if (expected == ALLOWED) {
            response.statusCode(not(oneOf(401, 403))).statusCode(not(oneOf(500, 503)));
        } else if (op.path().startsWith("/u/")) {
            response.statusCode(expected).contentType("text/html").header("Set-Cookie", org.hamcrest.Matchers.nullValue());
        } else {
            response.statusCode(expected).contentType("application/problem+json").body("status", equalTo(expected));
            if (expected == 401) {
                response.header("WWW-Authenticate", "Bearer");
            }
        }
    }

    private static RequestSpecification as(Caller caller) {
        Instant inAnHour = Instant.now().plusSeconds(3600);
        String all = TestTokens.READER;
        String token = switch (caller) {
            case NO_TOKEN -> null;
            case EXPIRED -> TestTokens.token("late", TestTokens.ISSUER, TestTokens.AUDIENCE, Instant.now().minusSeconds(600), all);
            case WRONG_ISSUER -> TestTokens.token("elsewhere", "https://identity.elsewhere.example", TestTokens.AUDIENCE, inAnHour, all);
            case WRONG_AUDIENCE -> TestTokens.token("other-app", TestTokens.ISSUER, "another-service", inAnHour, all);
            case FORGED_ROLES -> forged(TestTokens.withRoles("mallory", TestTokens.READER));
            default -> TestTokens.withRoles("access-" + caller.name().toLowerCase(), caller.role);
        };
        RequestSpecification request = RestAssured.given().filter(ContractFilter.INSTANCE);
        return token == null ? request : request.auth().oauth2(token);
    }

    /** A reader's real token with its claims rewritten to every role: the signature no longer matches. */
    private static String forged(String token) {
        String[] parts = token.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]))
                .replace("[\"crm-reader\"]", "[\"crm-reader\",\"campaign-manager\",\"codebook-admin\",\"privacy-officer\",\"webhook-admin\"]");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes()) + "." + parts[2];
    }

    private static Map<Caller, Integer> expect(int... statuses) {
        Map<Caller, Integer> row = new java.util.EnumMap<>(Caller.class);
        for (Caller c : Caller.values()) {
            row.put(c, statuses[c.ordinal()]);
        }
        return row;
    }
}
