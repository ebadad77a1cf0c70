package org.crmbulk.api.ui;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Embedding the web components: the pages under /ui/ load nothing from elsewhere and only this service and the
 * configured origins may frame them (CSP frame-ancestors); those origins, and no other, may load the components and
 * call the API from their own pages (CORS, without credentials: the host hands the components a bearer token). A request
 * from any other origin gets no CORS header, so the browser keeps the answer from it; nothing else changes for it.
 */
@ApplicationScoped
public class UiHeaders {

    public static final String PATH = "/ui/";
    private static final Pattern ORIGIN = Pattern.compile("https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");
    private static final String ALLOWED_HEADERS = "Authorization, Content-Type, Accept, Accept-Language, Idempotency-Key";
    private static final String EXPOSED_HEADERS = "Location, Retry-After, Content-Disposition";

    private final Set<String> origins;
    private final String policy;

    public UiHeaders(UiConfig config) {
        List<String> configured = config.allowedOrigins().orElse(List.of()).stream().map(String::trim).filter(o -> !o.isEmpty()).toList();
        for (String origin : configured) {
            if (!ORIGIN.matcher(origin).matches()) {
                throw new IllegalArgumentException("CRM_UI_ALLOWED_ORIGINS: '" + origin
                        + "' is not an origin (scheme://host[:port], no path, no wildcard)");
            }
        }
        this.origins = Set.copyOf(configured);
        this.policy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
                + configured.stream().map(o -> " " + o).reduce("", String::concat);
    }

    /** The Content-Security-Policy of every /ui/ answer. */
    public String policy() {
        return policy;
    }

    void install(@Observes StartupEvent start, Router router) {
        router.route(PATH + "*").order(-10).handler(rc -> {
            rc.addHeadersEndHandler(v -> rc.response().headers().set("Content-Security-Policy", policy).set("X-Content-Type-Options", "nosniff")
                    .set("Referrer-Policy", "no-referrer").set("Cache-Control", "no-cache"));
            cors(rc);
        });
        router.route("/api/*").order(-10).handler(this::cors);
    }

    private void cors(RoutingContext rc) {
        String origin = rc.request().getHeader("Origin");
        if (origin == null || !origins.contains(origin)) {
            rc.next();
            return;
        }
        var headers = rc.response().headers();
        headers.set("Access-Control-Allow-Origin", origin).add("Vary", "Origin");
        if (rc.request().method() == HttpMethod.OPTIONS && rc.request().getHeader("Access-Control-Request-Method") != null) {
            headers.set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE").set("Access-Control-Allow-Headers", ALLOWED_HEADERS)
                    .set("Access-Control-Max-Age", "600");
            rc.response().setStatusCode(204).end();
            return;
        }
        headers.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        rc.next();
    }
}
