package org.crmbulk.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Credentials come only from the environment and never reach a log, not even when they are refused. */
class SecretsSystemTest {

    @Test
    void the_database_password_is_not_logged_whether_the_server_takes_it_or_refuses_it() throws Exception {
        Stack stack = Stack.shared();
        String password = Secrets.used("db-s3cret-" + UUID.randomUUID());
        String name = "api-db-password-" + UUID.randomUUID().toString().substring(0, 6);
        try {
            // A server that trusts local connections takes any password; one that checks refuses this one.
            ServiceProcess replica = stack.startApiReplica(name, Map.of("CRM_DB_PASSWORD", password));
            io.restassured.RestAssured.given().baseUri(replica.baseUrl()).get("/api/v1/lists").then().statusCode(200);
            replica.kill();
        } catch (IllegalStateException refused) {
            assertThat(refused).hasMessageContaining("exited");
        }
        assertThat(Files.readString(logOf(stack, name))).as("the password never reaches the log").doesNotContain(password);
    }

    @Test
    void without_a_key_to_check_tokens_with_api_service_does_not_start() throws Exception {
        Stack stack = Stack.shared();
        String name = "api-without-jwt-key-" + UUID.randomUUID().toString().substring(0, 6);
        assertThatThrownBy(() -> stack.startApiReplica(name, Map.of("CRM_JWT_PUBLIC_KEY_LOCATION", "")))
                .as("refuse to start rather than run open or refuse everyone").hasMessageContaining("exited");
        assertThat(Files.readString(logOf(stack, name))).as("the log says what is missing").contains("mp.jwt.verify.publickey.location");
    }

    @Test
    void with_a_weak_unsubscribe_key_api_service_does_not_start_and_says_why_without_the_secret() throws Exception {
        Stack stack = Stack.shared();
        String name = "api-weak-unsubscribe-key-" + UUID.randomUUID().toString().substring(0, 6);
        String weak = Secrets.used("weak-secret-" + UUID.randomUUID().toString().substring(0, 4));
        assertThatThrownBy(() -> stack.startApiReplica(name, Map.of("CRM_UNSUBSCRIBE_KEYS", "k1=" + weak)))
                .hasMessageContaining("exited");
        assertThat(Files.readString(logOf(stack, name))).contains("the secret of key k1 is shorter than 32 characters")
                .doesNotContain(weak);
    }

    @Test
    void with_a_weak_erasure_key_neither_service_starts_and_neither_says_the_secret() throws Exception {
        Stack stack = Stack.shared();
        String weak = Secrets.used("weak-erasure-" + UUID.randomUUID().toString().substring(0, 4));
        String api = "api-weak-erasure-key-" + UUID.randomUUID().toString().substring(0, 6);
        assertThatThrownBy(() -> stack.startApiReplica(api, Map.of("CRM_ERASURE_KEY", weak))).hasMessageContaining("exited");
        assertThat(Files.readString(logOf(stack, api))).contains("erasure key: shorter than 32 characters").doesNotContain(weak);
        assertThatThrownBy(() -> stack.startWorker(Map.of("CRM_ERASURE_KEY", weak))).hasMessageContaining("exited");
    }

    private static Path logOf(Stack stack, String name) {
        return stack.api.logFile().resolveSibling(name + ".log");
    }
}
