package org.crmbulk.api.security;

import org.crmbulk.api.problem.Problem;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;

/** 401 (who are you?) and 403 (you may not) as problem+json, like every other refusal. */
public class SecurityProblems {

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        return unauthorized("a bearer token is required (Authorization: Bearer ...)");
    }

    @ServerExceptionMapper
    public Response badToken(AuthenticationFailedException e) {
        return unauthorized("the bearer token is invalid, expired, or not issued for this service");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(403, "Forbidden", "the caller's roles do not allow this operation").toResponse();
    }

    private static Response unauthorized(String detail) {
        return Response.fromResponse(Problem.of(401, "Unauthorized", detail).toResponse())
                .header("WWW-Authenticate", "Bearer").build();
    }
}
