package org.crmbulk.api.consent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;

/**
 * The public unsubscribe pages (no bearer token, no cookie, no redirect). GET only shows a page: a scanner following
 * links unsubscribes nobody. POST leaves: the one-click body of RFC 8058 ({@code List-Unsubscribe=One-Click}, all
 * marketing mail), or the page's form (this list or all). A token that is bad in any way gets the same 404 page.
 */
@PermitAll
@Path("/u/{token}")
public class UnsubscribeResource {

    private static final int MAX_BODY = 4096;
    private static final Pattern MULTIPART_FIELD = Pattern.compile(
            "name=\"([^\"]{1,64})\"[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\n([^\\r\\n]{0,64})");

    /** What a POST asks for, and whether it was a mailbox provider's one-click. */
    record Ask(Unsubscribes.Scope scope, boolean oneClick) {
    }

    @Inject
    Unsubscribes unsubscribes;

    @Inject
    PublicRateLimiter rate;

    @GET
    public Response page(@PathParam("token") RawText token, @HeaderParam("Accept-Language") RawText acceptLanguage,
            @Context HttpServerRequest request) {
        if (!rate.allows(request)) {
            return tooMany(acceptLanguage);
        }
        Optional<Unsubscribes.Target> target = unsubscribes.target(token.value());
        if (target.isEmpty()) {
            return html(404, UnsubscribePages.notFound(czech(null, acceptLanguage)));
        }
        return html(200, UnsubscribePages.confirm(target.get(), czech(target.get().language(), acceptLanguage)));
    }

    @POST
    @Consumes("*/*")
    public Response leave(@PathParam("token") RawText token, @HeaderParam("Accept-Language") RawText acceptLanguage,
            @Context HttpServerRequest request, InputStream body) throws IOException {
        if (!rate.allows(request)) {
            return tooMany(acceptLanguage);
        }
        Optional<Unsubscribes.Target> target = unsubscribes.target(token.value());
        if (target.isEmpty()) {
            return html(404, UnsubscribePages.notFound(czech(null, acceptLanguage)));
        }
        boolean czech = czech(target.get().language(), acceptLanguage);
        byte[] bytes = body == null ? new byte[0] : body.readNBytes(MAX_BODY + 1);
        Optional<Ask> ask = bytes.length > MAX_BODY ? Optional.empty() : ask(new String(bytes, StandardCharsets.UTF_8));
        if (ask.isEmpty()) {
            return html(400, UnsubscribePages.badRequest(czech));
        }
        unsubscribes.leave(target.get(), ask.get().scope(), ask.get().oneClick() ? "one-click" : "unsubscribe page");
        return html(200, UnsubscribePages.done(ask.get().scope(), czech));
    }

    /** The form body, url-encoded or multipart (RFC 8058 allows both); empty when it asks for nothing we know. */
    static Optional<Ask> ask(String body) {
        Map<String, String> fields = new HashMap<>();
        Matcher multipart = MULTIPART_FIELD.matcher(body);
        boolean isMultipart = false;
        while (multipart.find()) {
            isMultipart = true;
            fields.putIfAbsent(multipart.group(1), multipart.group(2).trim());
        }
        if (!isMultipart) {
            for (String pair : body.trim().split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    try {
                        fields.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        if ("One-Click".equals(fields.get("List-Unsubscribe"))) {
            return Optional.of(new Ask(Unsubscribes.Scope.ALL, true));
        }
        String scope = fields.get("scope");
        if ("ALL".equals(scope)) {
            return Optional.of(new Ask(Unsubscribes.Scope.ALL, false));
        }
        return "LISTS".equals(scope) ? Optional.of(new Ask(Unsubscribes.Scope.LISTS, false)) : Optional.empty();
    }

    /** The contact's language when it has one, else the browser's first choice; Czech or English. */
    static boolean czech(String contactLanguage, RawText acceptLanguage) {
        String language = contactLanguage != null && !contactLanguage.isBlank() ? contactLanguage
                : acceptLanguage == null ? null : acceptLanguage.value();
        return language != null && language.trim().toLowerCase(Locale.ROOT).startsWith("cs");
    }

    private Response tooMany(RawText acceptLanguage) {
        return Response.fromResponse(html(429, UnsubscribePages.tooMany(czech(null, acceptLanguage))))
                .header("Retry-After", String.valueOf(rate.retryAfterSeconds())).build();
    }

    /** Nothing cached or indexed, nothing framed or loaded from elsewhere, no referrer leaking the token. */
    private static Response html(int status, String page) {
        return Response.status(status).type("text/html; charset=utf-8").entity(page)
                .header("Cache-Control", "no-store")
                .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                        + "frame-ancestors 'none'; base-uri 'none'")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Robots-Tag", "noindex")
                .build();
    }
}
