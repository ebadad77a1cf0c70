package org.crmbulk.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

/** openapi.yaml is the contract: the service serves it, and its operations are exactly the service's. */
@QuarkusTest
class OpenApiContractTest {

    private static final Path CONTRACT = Path.of("..", "openapi.yaml");
    private static final Map<Class<? extends java.lang.annotation.Annotation>, String> VERBS = Map.of(
            GET.class, "get", POST.class, "post", PUT.class, "put", DELETE.class, "delete", PATCH.class, "patch");

    @Test
    void the_service_serves_the_contract_as_written() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("title: CRM Bulk Activities API"))
                .body(containsString("/api/v1/launches/{id}/deliveries"));
    }

    @Test
    void every_operation_of_the_service_is_in_the_contract_and_nothing_else() throws Exception {
        assertThat(implementedOperations()).isEqualTo(contractOperations());
    }

    private static Set<String> contractOperations() throws IOException {
        JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(CONTRACT.toFile()).get("paths");
        Set<String> operations = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(verb -> {
                if (VERBS.containsValue(verb)) {
                    operations.add(verb.toUpperCase() + " " + path.getKey());
                }
            });
        }
        return operations;
    }

    private static Set<String> implementedOperations() throws Exception {
        Path classes = Path.of("target", "classes");
        Set<String> operations = new TreeSet<>();
        try (Stream<Path> files = Files.walk(classes.resolve("org/crmbulk/api"))) {
            for (Path file : files.filter(f -> f.toString().endsWith("Resource.class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replace(".class", "");
                Class<?> type = Class.forName(name);
                jakarta.ws.rs.Path base = type.getAnnotation(jakarta.ws.rs.Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (var verb : VERBS.entrySet()) {
                        if (m.isAnnotationPresent(verb.getKey())) {
                            jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                            operations.add(verb.getValue().toUpperCase() + " " + base.value() + (sub == null ? "" : sub.value()));
                        }
                    }
                }
            }
        }
        return operations;
    }
}
