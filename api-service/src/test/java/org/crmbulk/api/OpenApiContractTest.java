package org.crmbulk.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

/**
 * openapi.yaml is the contract: the service serves it, and its operations, their parameters and the
 * shapes of their JSON bodies are exactly the service's. (Status codes and response bodies as they
 * are answered are checked on every test request by {@link ContractFilter}.)
 */
@QuarkusTest
class OpenApiContractTest {

    private static final Map<Class<? extends Annotation>, String> VERBS = Map.of(
            GET.class, "GET", POST.class, "POST", PUT.class, "PUT", DELETE.class, "DELETE", PATCH.class, "PATCH");

    /** An operation as the service implements it. */
    record Implemented(String operation, Method method) {
    }

    @Test
    void the_service_serves_the_contract_as_written() {
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("title: CRM Bulk Activities API"))
                .body(containsString("/api/v1/launches/{id}/deliveries"));
    }

    @Test
    void every_operation_of_the_service_is_in_the_contract_and_nothing_else() throws Exception {
        Set<String> implemented = new TreeSet<>(implemented().stream().map(Implemented::operation).toList());
        Set<String> contract = new TreeSet<>(Contract.operations().stream().map(Contract.Operation::toString).toList());
        assertThat(implemented).isEqualTo(contract);
    }

    @Test
    void every_operation_takes_exactly_the_path_query_and_header_parameters_the_contract_declares() throws Exception {
        List<String> differences = new ArrayList<>();
        for (Implemented impl : implemented()) {
            Contract.Operation op = operation(impl);
            for (var in : Map.of("path", PathParam.class, "query", QueryParam.class, "header", HeaderParam.class).entrySet()) {
                Set<String> service = new TreeSet<>();
                for (Parameter p : impl.method().getParameters()) {
                    Annotation a = p.getAnnotation(in.getValue());
                    if (a != null) {
                        service.add(a instanceof PathParam pp ? pp.value() : a instanceof QueryParam qp ? qp.value() : ((HeaderParam) a).value());
                    }
                }
                Set<String> declared = ContractFilter.INSTANCE.parameters(op, in.getKey());
                if (!service.equals(declared)) {
                    differences.add(op + " " + in.getKey() + " parameters: service " + service + ", contract " + declared);
                }
            }
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void every_json_request_and_response_record_has_the_fields_and_required_fields_the_contract_declares() throws Exception {
        List<String> differences = new ArrayList<>();
        for (Implemented impl : implemented()) {
            Contract.Operation op = operation(impl);
            for (Parameter p : impl.method().getParameters()) {
                if (p.getAnnotations().length > 0 && Stream.of(p.getAnnotations()).noneMatch(a -> a instanceof NotNull)) {
                    continue; // @PathParam, @QueryParam, @RestForm...: not the body
                }
                JsonNode schema = op.node().path("requestBody").path("content").path("application/json").path("schema");
                compare(op + " request", p.getParameterizedType(), schema, true, differences);
            }
            JsonNode success = op.node().path("responses").path(impl.method().isAnnotationPresent(POST.class) ? "201" : "200");
            if (success.isMissingNode()) {
                success = op.node().path("responses").path("200");
            }
            JsonNode schema = ContractFilter.INSTANCE.resolve(success).path("content").path("application/json").path("schema");
            compare(op + " response", impl.method().getGenericReturnType(), schema, false, differences);
        }
        assertThat(differences).isEmpty();
    }

    /** Records (and lists of records) against object (and array) schemas: the same field names; for requests the same required ones. */
    private static void compare(String where, Type type, JsonNode schemaOrRef, boolean request, List<String> differences) {
        JsonNode schema = ContractFilter.INSTANCE.resolve(schemaOrRef);
        if (type instanceof ParameterizedType list && list.getRawType() == List.class) {
            compare(where + "[]", list.getActualTypeArguments()[0], schema.path("items"), request, differences);
            return;
        }
        if (!(type instanceof Class<?> record) || !record.isRecord()) {
            return; // Response, Multi, streams: checked as answered, by ContractFilter
        }
        if (schema.isMissingNode()) {
            differences.add(where + ": " + record.getSimpleName() + " has no JSON schema in the contract");
            return;
        }
        Set<String> fields = new TreeSet<>();
        Set<String> required = new TreeSet<>();
        for (RecordComponent c : record.getRecordComponents()) {
            fields.add(c.getName());
            if (Stream.of(NotNull.class, NotEmpty.class, NotBlank.class).anyMatch(c.getAccessor()::isAnnotationPresent)) {
                required.add(c.getName());
            }
        }
        Set<String> declared = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(declared::add);
        if (!fields.equals(declared)) {
            differences.add(where + ": " + record.getSimpleName() + " fields " + fields + ", contract " + declared);
        }
        if (request) {
            Set<String> declaredRequired = new TreeSet<>();
            schema.path("required").forEach(r -> declaredRequired.add(r.asText()));
            if (!required.equals(declaredRequired)) {
                differences.add(where + ": " + record.getSimpleName() + " requires " + required + ", contract " + declaredRequired);
            }
        }
    }

    private static Contract.Operation operation(Implemented impl) {
        return Contract.operations().stream().filter(o -> o.toString().equals(impl.operation())).findFirst()
                .orElseThrow(() -> new AssertionError(impl.operation() + " is not in the contract"));
    }

    private static List<Implemented> implemented() throws Exception {
        Path classes = Path.of("target", "classes");
        List<Implemented> operations = new ArrayList<>();
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
                            operations.add(new Implemented(verb.getValue() + " " + base.value() + (sub == null ? "" : sub.value()), m));
                        }
                    }
                }
            }
        }
        return operations;
    }
}
