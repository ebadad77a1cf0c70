package org.crmbulk.api.problem;

import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;

/**
 * JSON bodies are parsed whole, so they get a limit of their own (default 10 MB, answered 413);
 * streamed CSV imports are bounded only by the HTTP server's overall limit.
 */
public class BodyLimits {

    @ConfigProperty(name = "crm.api.max-json-body", defaultValue = "10485760")
    long maxJsonBody;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> limit(HttpServerRequest request) {
        String type = request.getHeader("Content-Type");
        if (type != null && (type.startsWith("multipart/form-data") || type.startsWith("text/csv") || type.startsWith("text/plain") || type.startsWith("application/octet-stream"))) {
            return Optional.empty();
        }
        String length = request.getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                && Long.parseLong(length) > maxJsonBody) {
            return Optional.of(Problem.of(413, "Content Too Large",
                    "the request body has " + length + " bytes; JSON bodies may have at most " + maxJsonBody).toResponse());
        }
        return Optional.empty();
    }
}
