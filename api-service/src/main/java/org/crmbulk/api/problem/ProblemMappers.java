package org.crmbulk.api.problem;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.crmbulk.contract.db.DatabaseErrors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

/** Every refusal leaves as RFC 7807 problem+json naming the field and the reason. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return e.toResponse();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        String detail = errors.stream().map(fe -> fe.field() + ": " + fe.reason()).collect(Collectors.joining("; "));
        return Problem.of(Response.Status.BAD_REQUEST, detail, errors).toResponse();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonParseException e) {
        return Problem.of(Response.Status.BAD_REQUEST, "malformed JSON: " + e.getOriginalMessage(),
                List.of(new Problem.FieldError("body", "malformed JSON at line " + e.getLocation().getLineNr()
                        + ", column " + e.getLocation().getColumnNr()))).toResponse();
    }

    // Quarkus ships a mapper for this subtype; ours must be at least as specific to win.
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return unmappableJson(e);
    }

    @ServerExceptionMapper
    public Response unmappableJson(JsonMappingException e) {
        String field = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
        if (field.isEmpty()) {
            field = "body";
        }
        String reason = e instanceof UnrecognizedPropertyException ? "unknown field"
                : e instanceof StrictJson.TextRefused refused ? refused.reason() : "wrong type or shape";
        return Problem.of(Response.Status.BAD_REQUEST, field + ": " + reason,
                List.of(new Problem.FieldError(field, reason))).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProblemException problem) {
                return problem.toResponse();
            }
        }
        if (e.getCause() instanceof JsonParseException parse) {
            return malformedJson(parse);
        }
        if (e.getCause() instanceof JsonMappingException mapping) {
            return unmappableJson(mapping);
        }
        Response r = e.getResponse();
        if (r.getStatus() >= 500) {
            LOG.error("request failed", e);
        }
        return Problem.of(r.getStatus(), r.getStatusInfo().getReasonPhrase(), e.getMessage()).toResponse();
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.jboss.resteasy.reactive.server.core.multipart.MultipartParser.MalformedMessageException) {
                return Problem.of(Response.Status.BAD_REQUEST, "the multipart body is malformed",
                        List.of(new Problem.FieldError("file", "a malformed part (e.g. a control character in its headers)"))).toResponse();
            }
        }
        if (DatabaseErrors.isTransient(e)) {
            // A restart or failover of PostgreSQL: say so and when to come back, rather than a bare 500.
            LOG.warnf("database unavailable: %s", e.getMessage());
            return Response.fromResponse(Problem.of(503, "Service Unavailable",
                    "the database is unavailable; nothing was changed, try again shortly").toResponse())
                    .header("Retry-After", "5").build();
        }
        LOG.error("unexpected failure", e);
        return Problem.of(500, "Internal Server Error", "unexpected failure; see the service log").toResponse();
    }

    // "create.request.contacts[0].email" -> "contacts[0].email": drop the method and parameter nodes.
    private static String fieldOf(ConstraintViolation<?> v) {
        List<String> names = new ArrayList<>();
        for (Path.Node node : v.getPropertyPath()) {
            String name = node.getName();
            if (node.getIndex() != null && !names.isEmpty()) {
                names.set(names.size() - 1, names.get(names.size() - 1) + "[" + node.getIndex() + "]");
            }
            if (name != null && node.getKind() != jakarta.validation.ElementKind.CONTAINER_ELEMENT) {
                names.add(name);
            }
        }
        List<String> fields = names.size() > 2 ? names.subList(2, names.size()) : names.subList(names.size() - 1, names.size());
        return String.join(".", fields);
    }
}
