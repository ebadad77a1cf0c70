package org.crmbulk.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.crmbulk.testing.TestTokens;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Generated from openapi.yaml, not a hand list: every string field of every JSON body (at any depth),
 * every path, query and header parameter, every free-form object and every multipart file name of
 * every operation gets a NUL, a CR/LF, a value one past its declared maximum length, and a value of
 * the wrong type (a number for a text, text for a number or a boolean, an unknown enum value, a
 * non-date). A value the contract does not allow must be a 4xx problem+json that names the field and
 * changes no table; a value it allows (CR/LF in a free-text body) must at least never be a 5xx. Each
 * operation's base request, built from the schemas and the contract's examples, is first shown to
 * succeed, so a refusal is the field's doing.
 */
@QuarkusTest
class HostileInputTest {

    private static final Tables.Unchanged UNCHANGED = new Tables.Unchanged();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode ROOT = Contract.root();
    private static final AtomicInteger UNIQUE = new AtomicInteger();

    /** One place a caller's value enters: a parameter (in: path, query, header), a body field (a path of names and indexes), a file name. */
    record Input(String in, String name, List<Object> path, JsonNode schema) {
        @Override
        public String toString() {
            return in.equals("body") ? "body field " + fieldName() : in + " " + name;
        }

        /** As problems name it: {@code participants[0].email}. */
        String fieldName() {
            if (!in.equals("body")) {
                return name;
            }
            StringBuilder out = new StringBuilder();
            for (Object p : path) {
                if (p instanceof Integer i) {
                    out.append('[').append(i).append(']');
                } else {
                    out.append(out.isEmpty() ? "" : ".").append(p);
                }
            }
            return out.toString();
        }
    }

    /** A value to try; {@code refused}: the contract does not allow it, so it must be a 4xx naming the field. */
    record Mutation(String what, Object value, boolean refused) {
    }

    @Test
    void every_string_input_of_the_contract_declares_what_it_accepts() {
        List<String> unbounded = new ArrayList<>();
        for (Contract.Operation op : Contract.operations()) {
            for (Input input : inputs(op)) {
                JsonNode s = merged(input.schema());
                if (s.path("type").asText().equals("string") && !s.has("maxLength") && !s.has("enum") && !s.has("format")
                        && !input.in().equals("file")) {
                    unbounded.add(op + " " + input);
                }
            }
        }
        assertThat(unbounded).as("string inputs without maxLength, enum or format").isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> a_hostile_value_anywhere_in_any_operation_is_refused_with_a_problem_and_changes_nothing() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Contract.Operation op : Contract.operations()) {
            if (op.isPublic()) {
                continue; // the public pages answer HTML that names nothing: ConsentApiTest tries hostile input on them
            }
            List<Input> inputs = inputs(op);
            Map<String, Object> perOperation = new HashMap<>();
            for (Input input : inputs) {
                for (Mutation m : mutations(input)) {
                    tests.add(DynamicTest.dynamicTest(op + ": " + input + " = " + m.what(), () -> {
                        Fixtures f = (Fixtures) perOperation.computeIfAbsent("fixtures", k -> {
                            UNCHANGED.forget();
                            return Fixtures.create();
                        });
                        if (perOperation.putIfAbsent("base", true) == null) {
                            UNCHANGED.forget();
                            baseSucceeds(op, f);
                        }
                        boolean checked = false;
                        try {
                            checked = check(op, input, m, f);
                        } finally {
                            if (!checked) {
                                UNCHANGED.forget(); // it may have written, or failed before looking
                            }
                        }
                    }));
                }
            }
        }
        assertThat(tests).hasSizeGreaterThan(500);
        return tests.stream();
    }

    // ---------------------------------------------------------------- what can be tried, from the contract

    private static List<Input> inputs(Contract.Operation op) {
        List<Input> inputs = new ArrayList<>();
        for (JsonNode p : op.node().path("parameters")) {
            JsonNode parameter = ContractFilter.INSTANCE.resolve(p);
            inputs.add(new Input(parameter.path("in").asText(), parameter.path("name").asText(), List.of(), parameter.path("schema")));
        }
        JsonNode content = op.node().path("requestBody").path("content");
        if (content.has("application/json")) {
            fields(content.path("application/json").path("schema"), new ArrayList<>(), inputs, 0);
        }
        if (content.has("multipart/form-data")) {
            inputs.add(new Input("file", "file", List.of(), JsonNodeFactory.instance.objectNode().put("type", "string").put("maxLength", 255)));
        }
        return inputs;
    }

    private static void fields(JsonNode schemaOrRef, List<Object> path, List<Input> out, int depth) {
        JsonNode s = merged(schemaOrRef);
        String type = s.path("type").asText();
        if (depth > 6) {
            return;
        }
        if (type.equals("object") || s.has("properties")) {
            if (s.path("additionalProperties").asBoolean(false) && !path.isEmpty()) {
                out.add(new Input("body", path.get(path.size() - 1).toString(), List.copyOf(path), s)); // free-form: keys and values
            }
            s.path("properties").fields().forEachRemaining(e -> {
                List<Object> next = new ArrayList<>(path);
                next.add(e.getKey());
                fields(e.getValue(), next, out, depth + 1);
            });
        } else if (type.equals("array")) {
            List<Object> next = new ArrayList<>(path);
            next.add(0);
            fields(s.path("items"), next, out, depth + 1);
        } else if (!path.isEmpty()) {
            out.add(new Input("body", path.get(path.size() - 1).toString(), List.copyOf(path), schemaOrRef));
        }
    }

    private static List<Mutation> mutations(Input input) {
        JsonNode s = merged(input.schema());
        String type = s.path("type").asText();
        List<Mutation> out = new ArrayList<>();
        if (input.in().equals("body") && (type.equals("object") || s.has("additionalProperties"))) {
            out.add(new Mutation("a free-form value with NUL", Map.of("note", "a\u0000b"), true));
            out.add(new Mutation("a free-form name with NUL", Map.of("no\u0000te", "x"), true));
            out.add(new Mutation("a free-form name with CR/LF", Map.of("no\r\nte", "x"), true));
            return out;
        }
        if (input.in().equals("file")) {
            out.add(new Mutation("a file name with NUL", "a\u0000b.txt", true));
            out.add(new Mutation("a file name with CR/LF", "a\r\nContent-Type: text/html.txt", true));
            out.add(new Mutation("a file name of 256 characters", "f".repeat(252) + ".txt", true));
            return out;
        }
        switch (type) {
            case "string" -> {
                out.add(new Mutation("text with NUL", "a\u0000b", true));
                out.add(new Mutation("text with CR/LF", "a\r\nb", !allows(s, "a\r\nb")));
                if (s.has("maxLength")) {
                    int max = s.get("maxLength").asInt();
                    out.add(new Mutation("text of " + (max + 1) + " characters", "x".repeat(max + 1), true));
                }
                if (s.has("enum")) {
                    out.add(new Mutation("an unknown value", "NOT_ONE_OF_THEM", true));
                } else if (s.path("format").asText().equals("date-time")) {
                    out.add(new Mutation("not a date-time", "notadate", true));
                } else if (input.in().equals("body")) {
                    out.add(new Mutation("a number instead of text", 123, true));
                }
            }
            case "integer" -> {
                out.add(new Mutation("text instead of an integer", "abc", true));
                out.add(new Mutation("a fraction", input.in().equals("body") ? (Object) 1.5 : "1.5", true));
                out.add(new Mutation("a 20-digit number", input.in().equals("body") ? (Object) new java.math.BigInteger("99999999999999999999")
                        : "99999999999999999999", true));
                if (!input.in().equals("body")) {
                    out.add(new Mutation("a NUL", "1\u0000", true));
                }
                if (s.has("minimum")) {
                    out.add(new Mutation("below the minimum", input.in().equals("body") ? (Object) (s.get("minimum").asLong() - 1)
                            : String.valueOf(s.get("minimum").asLong() - 1), true));
                }
                if (s.has("maximum")) {
                    out.add(new Mutation("above the maximum", input.in().equals("body") ? (Object) (s.get("maximum").asLong() + 1)
                            : String.valueOf(s.get("maximum").asLong() + 1), true));
                }
            }
            case "boolean" -> {
                out.add(new Mutation("a word that is not a boolean", "maybe", true));
                if (input.in().equals("body")) {
                    out.add(new Mutation("text \"true\" instead of a boolean", "true", true));
                }
            }
            default -> {
                // numbers and the rest: none in the contract's inputs
            }
        }
        return out;
    }

    private static boolean allows(JsonNode s, String value) {
        return !s.has("pattern") || Pattern.compile(s.get("pattern").asText()).matcher(value).find();
    }

    // ---------------------------------------------------------------- running one case

    private static void baseSucceeds(Contract.Operation op, Fixtures f) {
        if (!op.node().path("requestBody").path("content").has("application/json")) {
            return; // nothing in a body to blame; parameters are refused before anything is read
        }
        Response r = send(op, f, base(op, f), null, null);
        assertThat(r.statusCode()).as(op + ": the base request built from the contract must succeed: " + r.asString())
                .isBetween(200, 299);
    }

    /** True when it ended by finding that no table changed. */
    private static boolean check(Contract.Operation op, Input input, Mutation m, Fixtures f) throws Exception {
        JsonNode body = base(op, f);
        if (input.in().equals("body")) {
            body = set(body, input.path(), JSON.valueToTree(m.value()));
        }
        UNCHANGED.before();
        if (input.in().equals("header") && m.value() instanceof String v && v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // HTTP clients alter such bytes before sending; on the wire they are not HTTP and the HTTP layer refuses them.
            String answer = BadInputTest.raw(op.method() + " " + f.expand(op.path()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + TestTokens.withRoles(f.caller, TestTokens.MANAGER) + "\r\n" + input.name() + ": " + v
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.toString().getBytes(StandardCharsets.UTF_8).length
                    + "\r\nConnection: close\r\n\r\n" + body);
            assertThat(answer.substring(0, answer.indexOf('\r'))).as(answer).matches("HTTP/1\\.1 4\\d\\d .*");
            UNCHANGED.check(op + " " + input + " = " + m.what() + ": no table changed");
            return true;
        }
        Response r = send(op, f, body, input, m);
        int status = r.statusCode();
        assertThat(status).as(op + " " + input + " = " + m.what() + " answered " + r.asString()).isLessThan(500);
        if (!m.refused()) {
            return false;
        }
        List<String> fields;
        if (status == 200 && op.node().path("x-validates-items-alone").asBoolean()) {
            // The contract says this operation reports a bad item by its index and goes on with the others.
            assertThat(r.jsonPath().getInt("rejected")).as(op + " " + input + " = " + m.what() + ": the item is rejected").isEqualTo(1);
            fields = r.jsonPath().getList("errors.field", String.class);
        } else {
            assertThat(status).as(op + " " + input + " = " + m.what() + ": refused").isBetween(400, 499);
            assertThat(r.contentType()).startsWith("application/problem+json");
            fields = r.jsonPath().getList("errors.field", String.class);
        }
        String leaf = input.in().equals("body") ? input.path().stream().filter(p -> p instanceof String).reduce((a, b) -> b).orElse("")
                .toString() : input.name();
        assertThat(fields).as(op + " " + input + " = " + m.what() + ": the problem names the field; " + r.asString())
                .isNotNull().anySatisfy(field -> assertThat(field).contains(leaf));
        UNCHANGED.check(op + " " + input + " = " + m.what() + ": no table changed");
        return true;
    }

    private static Response send(Contract.Operation op, Fixtures f, JsonNode body, Input input, Mutation m) {
        RequestSpecification request = Api.as(f.caller, TestTokens.READER, TestTokens.MANAGER, TestTokens.CODEBOOK_ADMIN,
                TestTokens.PRIVACY_OFFICER, TestTokens.MAIL_INTAKE, TestTokens.WEBHOOK_ADMIN).urlEncodingEnabled(true);
        Map<String, Object> pathParams = new LinkedHashMap<>();
        java.util.regex.Matcher names = Pattern.compile("\\{([^}]+)}").matcher(op.path());
        while (names.find()) {
            pathParams.put(names.group(1), f.path(op.path(), names.group(1)));
        }
        if (input != null) {
            switch (input.in()) {
                case "path" -> pathParams.put(input.name(), m.value());
                case "query" -> request.queryParam(input.name(), m.value());
                case "header" -> request.header(input.name(), m.value());
                default -> {
                }
            }
        }
        JsonNode content = op.node().path("requestBody").path("content");
        if (content.has("application/json")) {
            request.contentType("application/json").body(body.toString().getBytes(StandardCharsets.UTF_8));
        } else if (content.has("multipart/form-data")) {
            String filename = input != null && input.in().equals("file") ? (String) m.value() : "ok.txt";
            request.multiPart("file", filename, "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
        } else if (content.has("text/csv")) {
            request.contentType("text/csv; charset=UTF-8").body("email\nhostile-" + UNIQUE.incrementAndGet() + "@example.cz\n");
        }
        return request.pathParams(pathParams).request(op.method(), op.path());
    }

    // ---------------------------------------------------------------- valid requests, built from the schemas

    private static JsonNode base(Contract.Operation op, Fixtures f) {
        JsonNode schema = op.node().path("requestBody").path("content").path("application/json").path("schema");
        return schema.isMissingNode() ? null : valid(schema, "body", f);
    }

    private static JsonNode valid(JsonNode schemaOrRef, String name, Fixtures f) {
        JsonNode s = merged(schemaOrRef);
        if (s.has("example") && (s.path("type").asText().equals("object") || s.has("properties"))) {
            return withFixtures(s.get("example").deepCopy(), f);
        }
        String type = s.path("type").asText();
        if (type.equals("object") || s.has("properties")) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            s.path("properties").fields().forEachRemaining(e -> o.set(e.getKey(), valid(e.getValue(), e.getKey(), f)));
            return o;
        }
        if (type.equals("array")) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            a.add(valid(s.path("items"), singular(name), f));
            return a;
        }
        if (type.equals("integer")) {
            return JsonNodeFactory.instance.numberNode(f.id(name));
        }
        if (type.equals("boolean")) {
            return JsonNodeFactory.instance.booleanNode(false);
        }
        if (s.has("enum")) {
            return s.get("enum").get(0);
        }
        if (s.path("format").asText().equals("date-time")) {
            return JsonNodeFactory.instance.textNode(OffsetDateTime.now().plusDays(7).toString());
        }
        if (isEmail(schemaOrRef)) {
            return JsonNodeFactory.instance.textNode("hostile" + UNIQUE.incrementAndGet() + "@example.cz");
        }
        if (s.has("example")) {
            return s.get("example");
        }
        if (name.equals("externalId")) {
            return JsonNodeFactory.instance.textNode("HOSTILE-" + UUID.randomUUID());
        }
        return JsonNodeFactory.instance.textNode("Text");
    }

    /** IDs in the contract's examples are placeholders: the fixtures' IDs take their place. */
    private static JsonNode withFixtures(JsonNode example, Fixtures f) {
        if (example instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isIntegralNumber()) {
                    o.put(e.getKey(), f.id(e.getKey()));
                } else if (e.getKey().equals("url")) {
                    o.put("url", WEBHOOK_TARGET); // the example's host does not resolve here, and tests allow only 127.0.0.1
                } else if (e.getValue().isArray() && e.getKey().equals("externalIds")) {
                    o.set(e.getKey(), JsonNodeFactory.instance.arrayNode().add(f.contactExternalId));
                } else if (e.getValue().isArray()) {
                    ArrayNode items = JsonNodeFactory.instance.arrayNode();
                    e.getValue().forEach(i -> items.add(i.isIntegralNumber() ? JsonNodeFactory.instance.numberNode(f.id(singular(e.getKey())))
                            : withFixtures(i, f)));
                    o.set(e.getKey(), items);
                } else if (e.getValue().isObject()) {
                    withFixtures(e.getValue(), f);
                }
            }
        }
        return example;
    }

    private static String singular(String name) {
        return name.endsWith("Ids") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isEmail(JsonNode schemaOrRef) {
        if (schemaOrRef.path("$ref").asText().endsWith("/EmailAddress")) {
            return true;
        }
        for (JsonNode part : schemaOrRef.path("allOf")) {
            if (isEmail(part)) {
                return true;
            }
        }
        return false;
    }

    /** The schema with its $ref resolved and its allOf parts folded in (the outer keywords win). */
    private static JsonNode merged(JsonNode schemaOrRef) {
        JsonNode s = ContractFilter.INSTANCE.resolve(schemaOrRef);
        if (!s.has("allOf")) {
            return s;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (JsonNode part : s.get("allOf")) {
            merged(part).fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        }
        s.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("allOf")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /** A copy of the body with the value at the path, creating the objects and arrays on the way that the base left out. */
    private static JsonNode set(JsonNode root, List<Object> path, JsonNode value) {
        JsonNode copy = root.deepCopy();
        JsonNode node = copy;
        for (int i = 0; i < path.size() - 1; i++) {
            Object step = path.get(i);
            JsonNode next = step instanceof Integer index ? node.get(index) : node.get((String) step);
            if (next == null || next.isNull()) {
                next = path.get(i + 1) instanceof Integer ? JsonNodeFactory.instance.arrayNode().addNull()
                        : JsonNodeFactory.instance.objectNode();
                if (step instanceof Integer index) {
                    ((ArrayNode) node).set(index, next);
                } else {
                    ((ObjectNode) node).set((String) step, next);
                }
            }
            node = next;
        }
        Object last = path.get(path.size() - 1);
        if (last instanceof Integer index) {
            ((ArrayNode) node).set(index, value);
        } else {
            ((ObjectNode) node).set((String) last, value);
        }
        return copy;
    }

    // ---------------------------------------------------------------- fixtures

    /**
     * A fresh set of what the operations refer to: each operation gets its own, so one's base request cannot spoil
     * another's, and its own callers, so the per-caller limit on sending requests never answers for the input.
     */
    /** A webhook target the tests allow (crm.webhooks.allowed-networks); nothing listens there. */
    private static final String WEBHOOK_TARGET = "http://127.0.0.1:9/hooks";

    static final class Fixtures {
        final String caller = "hostile-" + UNIQUE.incrementAndGet();
        long user;
        long contact;
        String contactExternalId;
        long list;
        long action;
        long actionAttachment;
        long launch;
        long testSend;
        long activity;
        long activityAttachment;
        long mailJob;
        long suppression;
        long erasure;
        long inboundReport;
        long webhook;
        final String codebook = "ZZ_HOSTILE";
        final String key = "k1";

        static Fixtures create() {
            Fixtures f = new Fixtures();
            int n = UNIQUE.incrementAndGet();
            java.util.function.Supplier<RequestSpecification> api = () -> Api.as(f.caller + "-setup", TestTokens.READER, TestTokens.MANAGER,
                    TestTokens.CODEBOOK_ADMIN);
            f.user = api.get().contentType("application/json").body(Map.of("email", "user" + n + "@example.cz", "firstName", "U"))
                    .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
            f.contactExternalId = "HOSTILE-FIX-" + UUID.randomUUID();
            f.contact = api.get().contentType("application/json")
                    .body(Map.of("email", "fix" + n + "@example.cz", "externalId", f.contactExternalId, "firstName", "F"))
                    .post("/api/v1/contacts").then().statusCode(201).extract().jsonPath().getLong("id");
            f.list = api.get().contentType("application/json").body(Map.of("name", "Hostile " + n)).post("/api/v1/lists").then()
                    .statusCode(201).extract().jsonPath().getLong("id");
            api.get().contentType("application/json").body(Map.of("contactIds", List.of(f.contact))).post("/api/v1/lists/{id}/members", f.list)
                    .then().statusCode(200);
            f.action = api.get().contentType("application/json").body(Map.of("name", "Hostile", "from", "news@example.cz",
                    "subject", "Hi {contact.firstName}", "textBody", "Body")).post("/api/v1/bulk-actions").then().statusCode(201)
                    .extract().jsonPath().getLong("id");
            f.actionAttachment = api.get().multiPart("file", "a.txt", "A".getBytes(StandardCharsets.UTF_8), "text/plain")
                    .post("/api/v1/bulk-actions/{id}/attachments", f.action).then().statusCode(201).extract().jsonPath().getLong("id");
            f.launch = api.get().contentType("application/json").body(Map.of("bulkActionId", f.action, "listIds", List.of(f.list),
                    "scheduledAt", OffsetDateTime.now().plusDays(7).toString()))
                    .post("/api/v1/launches").then().statusCode(202).extract().jsonPath().getLong("id");
            f.testSend = api.get().contentType("application/json").body(Map.of("addresses", List.of("t" + n + "@example.cz")))
                    .post("/api/v1/bulk-actions/{id}/test-sends", f.action).then().statusCode(202).extract().jsonPath().getLong("id");
            f.activity = api.get().contentType("application/json").body(Map.of("type", "MEETING", "subject", "Porada",
                    "contactId", f.contact, "participants", List.of(Map.of("email", "p" + n + "@example.cz", "name", "P"))))
                    .post("/api/v1/activities").then().statusCode(201).extract().jsonPath().getLong("id");
            f.activityAttachment = api.get().multiPart("file", "b.txt", "B".getBytes(StandardCharsets.UTF_8), "text/plain")
                    .post("/api/v1/activities/{id}/attachments", f.activity).then().statusCode(201).extract().jsonPath().getLong("id");
            f.mailJob = api.get().contentType("application/json").body(Map.of("task", "participants"))
                    .post("/api/v1/activities/{id}/mail-tasks", f.activity).then().statusCode(202).extract().jsonPath().getLong("id");
            f.suppression = api.get().contentType("application/json").body(Map.of("email", "sup" + n + "@example.cz"))
                    .post("/api/v1/suppressions").then().statusCode(201).extract().jsonPath().getLong("id");
            f.erasure = Api.as(f.caller + "-officer", TestTokens.PRIVACY_OFFICER).contentType("application/json")
                    .body(Map.of("email", "gone" + n + "@example.cz", "reason", "fixture")).post("/api/v1/erasures").then().statusCode(201)
                    .extract().jsonPath().getLong("id");
            f.inboundReport = Api.as(f.caller + "-mta", TestTokens.MAIL_INTAKE).contentType("message/rfc822")
                    .body(org.crmbulk.testing.BounceCorpus.fixture("qmail.eml", "q" + n + "@example.cz", "b@example.cz", "<q" + n + "@x>"))
                    .post("/api/v1/inbound-reports").then().statusCode(202).extract().jsonPath().getLong("id");
            api.get().contentType("application/json").body(Map.of("value", "v")).put("/api/v1/codebooks/{c}/entries/{k}", f.codebook, f.key)
                    .then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
            f.webhook = Api.as(f.caller + "-integrator", TestTokens.WEBHOOK_ADMIN).contentType("application/json")
                    .body(Map.of("url", WEBHOOK_TARGET, "eventTypes", List.of("org.crmbulk.codebook.changed.v1"), "active", false))
                    .post("/api/v1/webhooks").then().statusCode(201).extract().jsonPath().getLong("id");
            return f;
        }

        /** The path with every parameter replaced by its fixture. */
        String expand(String template) {
            java.util.regex.Matcher m = Pattern.compile("\\{([^}]+)}").matcher(template);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                m.appendReplacement(out, String.valueOf(path(template, m.group(1))));
            }
            return m.appendTail(out).toString();
        }

        /** The value of a path parameter of an operation: the fixture of the resource the path names. */
        Object path(String template, String name) {
            return switch (name) {
                case "attachmentId" -> template.startsWith("/api/v1/activities") ? activityAttachment : actionAttachment;
                case "testSendId" -> testSend;
                case "jobId" -> mailJob;
                case "codebook" -> codebook;
                case "key" -> key;
                default -> {
                    String resource = template.split("/")[3];
                    yield switch (resource) {
                        case "contacts" -> contact;
                        case "users" -> user;
                        case "lists" -> list;
                        case "bulk-actions" -> action;
                        case "launches" -> launch;
                        case "activities" -> activity;
                        case "suppressions" -> suppression;
                        case "erasures" -> erasure;
                        case "inbound-reports" -> inboundReport;
                        case "webhooks" -> webhook;
                        default -> throw new IllegalStateException("no fixture for " + template);
                    };
                }
            };
        }

        /** The fixture an integer body field refers to, by its name. */
        long id(String field) {
            return switch (field) {
                case "bulkActionId" -> action;
                case "listId", "listIds", "notIn" -> list;
                case "contactId", "contactIds" -> contact;
                case "userId", "ownerUserId", "launchedByUserId", "responsibleUserId", "responsibleUserIds" -> user;
                default -> 1;
            };
        }
    }
}
