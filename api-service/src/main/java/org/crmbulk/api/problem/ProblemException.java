package org.crmbulk.api.problem;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

/** A refusal the services raise on purpose; mapped to problem+json as it stands. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;
    private final transient Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(Response.Status status, String detail, String field, String reason) {
        this(Problem.of(status, detail, field == null ? null : List.of(new Problem.FieldError(field, reason))));
    }

    public ProblemException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    public static ProblemException notFound(String what, Object id, String field) {
        return new ProblemException(Response.Status.NOT_FOUND, what + " " + id + " does not exist", field,
                "no " + what + " with ID " + id);
    }

    /** 422: well-formed, but beyond a limit or against the state of things. */
    public static ProblemException unprocessable(String field, String reason) {
        return new ProblemException(new Problem("about:blank", "Unprocessable Content", 422, field + ": " + reason,
                List.of(new Problem.FieldError(field, reason))));
    }

    public static ProblemException badField(String field, String reason) {
        return new ProblemException(Response.Status.BAD_REQUEST, field + ": " + reason, field, reason);
    }

    /** A response header that goes with the refusal, such as Retry-After. */
    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** This refusal as a WebApplicationException, for places that may throw only those (parameter converters). */
    public jakarta.ws.rs.WebApplicationException asWebException() {
        return new jakarta.ws.rs.WebApplicationException(getMessage(), this, toResponse());
    }

    public Problem problem() {
        return problem;
    }

    public Response toResponse() {
        Response.ResponseBuilder response = Response.fromResponse(problem.toResponse());
        headers.forEach(response::header);
        return response.build();
    }
}
