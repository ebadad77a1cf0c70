package org.crmbulk.api.problem;

import java.util.List;

import jakarta.ws.rs.core.Response;

/** A refusal the services raise on purpose; mapped to problem+json as it stands. */
public class ProblemException extends RuntimeException {

    private final transient Problem problem;

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

    public static ProblemException badField(String field, String reason) {
        return new ProblemException(Response.Status.BAD_REQUEST, field + ": " + reason, field, reason);
    }

    public Problem problem() {
        return problem;
    }
}
