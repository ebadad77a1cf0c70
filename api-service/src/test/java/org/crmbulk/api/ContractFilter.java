package org.crmbulk.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

/**
 * Holds every exchange the tests make to openapi.yaml. Every answer: the operation exists, its query
 * parameters are declared, the status code and media type are declared for it, and its body passes a
 * full OpenAPI validator (Atlassian's swagger-request-validator: types, formats, patterns, lengths,
 * ranges, enums, nullability, required fields) and has no undeclared field. Every request the service
 * accepted (2xx) must itself be valid by the contract: the service takes nothing the contract refuses.
 */
final class ContractFilter implements Filter {

    static final ContractFilter INSTANCE = new ContractFilter();

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root = Contract.root();
    private final List<Contract.Operation> operations = Contract.operations();
    private final OpenApiInteractionValidator validator = OpenApiInteractionValidator
            .createForSpecificationUrl(Contract.FILE.toAbsolutePath().toUri().toString()).build();

    private ContractFilter() {
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification response, FilterContext ctx) {
        Response answer = ctx.next(request, response);
        URI uri = URI.create(request.getURI());
        if (!uri.getRawPath().startsWith("/api/")) {
            return answer;
        }
        Contract.Operation op = find(request.getMethod(), uri.getRawPath());
        if (op == null) {
            throw new AssertionError(request.getMethod() + " " + uri.getRawPath() + " is not an operation of openapi.yaml");
        }
        Set<String> query = new TreeSet<>(request.getQueryParams().keySet());
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                query.add(pair.split("=", 2)[0]);
            }
        }
        Set<String> declared = parameters(op, "query");
        if (!declared.containsAll(query)) {
            throw new AssertionError(op + ": query parameters " + query + " are not all declared (" + declared + ")");
        }
        String status = Integer.toString(answer.statusCode());
        JsonNode declaredAnswer = resolve(op.node().path("responses").path(status));
        if (declaredAnswer.isMissingNode()) {
            throw new AssertionError(op + " answered " + status + ", which openapi.yaml does not declare for it: " + answer.asString());
        }
        String body = answer.asString();
        String mediaType = answer.contentType() == null ? "" : answer.contentType().split(";")[0].trim();
        if (body.isEmpty() || mediaType.isEmpty()) {
            return answer;
        }
        JsonNode content = declaredAnswer.path("content").path(mediaType);
        if (content.isMissingNode()) {
            throw new AssertionError(op + " " + status + " answered " + mediaType + ", not declared ("
                    + declaredAnswer.path("content").properties().stream().map(Map.Entry::getKey).toList() + ")");
        }
        if (mediaType.endsWith("json") && !content.path("schema").isMissingNode()) {
            List<String> problems = new ArrayList<>();
            try {
                validate(JSON.readTree(body), content.path("schema"), "body", problems);
            } catch (java.io.IOException e) {
                problems.add("body is not JSON: " + e.getMessage());
            }
            if (!problems.isEmpty()) {
                throw new AssertionError(op + " " + status + " does not fit openapi.yaml: " + problems);
            }
        }
        ValidationReport answered = validator.validateResponse(uri.getRawPath(), Request.Method.valueOf(request.getMethod()),
                SimpleResponse.Builder.status(answer.statusCode()).withContentType(answer.contentType()).withBody(body).build());
        if (answered.hasErrors()) {
            throw new AssertionError(op + " " + status + " does not fit openapi.yaml: " + messages(answered));
        }
        // Multipart requests are the service's to check: the contract names their part, not the bytes on the wire.
        // Operations marked x-validates-items-alone answer 200 with a bad item reported, by design.
        if (answer.statusCode() < 300 && (request.getContentType() == null || !request.getContentType().startsWith("multipart/"))
                && !op.node().path("x-validates-items-alone").asBoolean()) {
            ValidationReport accepted = validator.validateRequest(request(request, uri));
            if (accepted.hasErrors()) {
                throw new AssertionError(op + " accepted (" + status + ") a request openapi.yaml refuses: " + messages(accepted));
            }
        }
        return answer;
    }

    /** The request as it went out (its query is in the URI); a Content-Type without a body says nothing to check. */
    private static Request request(FilterableRequestSpecification spec, URI uri) {
        SimpleRequest.Builder r = new SimpleRequest.Builder(spec.getMethod(), uri.getRawPath());
        Object body = spec.getBody();
        spec.getHeaders().forEach(h -> {
            if (body != null || !h.getName().equalsIgnoreCase("Content-Type")) {
                r.withHeader(h.getName(), h.getValue());
            }
        });
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                r.withQueryParam(java.net.URLDecoder.decode(kv[0], java.nio.charset.StandardCharsets.UTF_8),
                        kv.length > 1 ? java.net.URLDecoder.decode(kv[1], java.nio.charset.StandardCharsets.UTF_8) : "");
            }
        }
        if (body != null) {
            r.withBody(body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : body.toString());
        }
        return r.build();
    }

    private static String messages(ValidationReport report) {
        return report.getMessages().stream().filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage()).toList().toString();
    }

    Contract.Operation find(String method, String path) {
        String[] segments = path.split("/");
        Contract.Operation best = null;
        int bestLiterals = -1;
        for (Contract.Operation op : operations) {
            String[] template = op.path().split("/");
            if (!op.method().equalsIgnoreCase(method) || template.length != segments.length) {
                continue;
            }
            int literals = 0;
            boolean matches = true;
            for (int i = 0; i < template.length && matches; i++) {
                if (template[i].startsWith("{")) {
                    continue;
                }
                matches = template[i].equals(segments[i]);
                literals++;
            }
            if (matches && literals > bestLiterals) {
                best = op;
                bestLiterals = literals;
            }
        }
        return best;
    }

    Set<String> parameters(Contract.Operation op, String in) {
        Set<String> names = new TreeSet<>();
        for (JsonNode p : op.node().path("parameters")) {
            JsonNode parameter = resolve(p);
            if (in.equals(parameter.path("in").asText())) {
                names.add(parameter.path("name").asText());
            }
        }
        return names;
    }

    JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            JsonNode target = root;
            for (String part : node.get("$ref").asText().substring(2).split("/")) {
                target = target.path(part);
            }
            node = target;
        }
        return node;
    }

    private void validate(JsonNode value, JsonNode schemaOrRef, String where, List<String> problems) {
        JsonNode schema = resolve(schemaOrRef);
        if (value.isNull()) {
            if ((schema.has("type") || schema.has("allOf")) && !schema.path("nullable").asBoolean()) {
                problems.add(where + " is null but not nullable");
            }
            return;
        }
        for (JsonNode part : schema.path("allOf")) {
            validate(value, part, where, problems);
        }
        switch (schema.path("type").asText()) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(where + " is not an object");
                    return;
                }
                JsonNode properties = schema.path("properties");
                for (JsonNode required : schema.path("required")) {
                    if (!value.has(required.asText())) {
                        problems.add(where + "." + required.asText() + " is required but missing");
                    }
                }
                JsonNode additional = schema.path("additionalProperties");
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> field = it.next();
                    if (properties.has(field.getKey())) {
                        validate(field.getValue(), properties.get(field.getKey()), where + "." + field.getKey(), problems);
                    } else if (!additional.asBoolean(false) && !additional.isObject()) {
                        problems.add(where + "." + field.getKey() + " is not declared");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(where + " is not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(value.get(i), schema.path("items"), where + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(where + " is not a string");
                } else if (schema.has("enum")) {
                    boolean listed = false;
                    for (JsonNode e : schema.get("enum")) {
                        listed |= e.asText().equals(value.asText());
                    }
                    if (!listed) {
                        problems.add(where + " = " + value.asText() + " is not in " + schema.get("enum"));
                    }
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(where + " is not an integer");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    problems.add(where + " is not a number");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(where + " is not a boolean");
                }
            }
            default -> {
                // no type: anything goes
            }
        }
    }
}
