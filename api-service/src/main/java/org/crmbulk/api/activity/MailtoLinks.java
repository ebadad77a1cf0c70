package org.crmbulk.api.activity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6068 mailto: URIs, percent-encoded UTF-8. Clients are unreliable past about 2,000 characters,
 * so recipients are split over several URIs when one would be longer; when even one recipient does
 * not fit, the body is shortened (the .eml draft stays complete).
 */
final class MailtoLinks {

    record Result(List<String> uris, boolean split, boolean bodyShortened) {
    }

    private MailtoLinks() {
    }

    static Result build(List<String> to, List<String> cc, String subject, String body, int maxLength) {
        List<String> all = new ArrayList<>();
        to.forEach(a -> all.add("to:" + a));
        cc.forEach(a -> all.add("cc:" + a));
        String whole = uri(to, cc, subject, body);
        if (whole.length() <= maxLength) {
            return new Result(List.of(whole), false, false);
        }
        boolean shortened = false;
        String usedBody = body;
        // The body must fit beside the longest single recipient.
        String longest = all.stream().max((a, b) -> a.length() - b.length()).orElse("to:");
        while (uri(single(longest, true), single(longest, false), subject, usedBody).length() > maxLength && !usedBody.isEmpty()) {
            usedBody = usedBody.substring(0, Math.max(0, usedBody.length() - Math.max(20, usedBody.length() / 10)));
            shortened = true;
        }
        if (shortened) {
            usedBody = usedBody + "…";
        }
        List<String> uris = new ArrayList<>();
        List<String> chunkTo = new ArrayList<>();
        List<String> chunkCc = new ArrayList<>();
        for (String r : all) {
            List<String> tryTo = new ArrayList<>(chunkTo);
            List<String> tryCc = new ArrayList<>(chunkCc);
            (r.startsWith("to:") ? tryTo : tryCc).add(r.substring(3));
            if (!chunkTo.isEmpty() || !chunkCc.isEmpty()) {
                if (uri(tryTo, tryCc, subject, usedBody).length() > maxLength) {
                    uris.add(uri(chunkTo, chunkCc, subject, usedBody));
                    tryTo = new ArrayList<>();
                    tryCc = new ArrayList<>();
                    (r.startsWith("to:") ? tryTo : tryCc).add(r.substring(3));
                }
            }
            chunkTo = tryTo;
            chunkCc = tryCc;
        }
        uris.add(uri(chunkTo, chunkCc, subject, usedBody));
        return new Result(uris, uris.size() > 1, shortened);
    }

    private static List<String> single(String r, boolean to) {
        return r.startsWith(to ? "to:" : "cc:") ? List.of(r.substring(3)) : List.of();
    }

    static String uri(List<String> to, List<String> cc, String subject, String body) {
        StringBuilder uri = new StringBuilder("mailto:");
        uri.append(String.join(",", to.stream().map(MailtoLinks::encode).toList()));
        List<String> fields = new ArrayList<>();
        if (!cc.isEmpty()) {
            fields.add("cc=" + String.join(",", cc.stream().map(MailtoLinks::encode).toList()));
        }
        if (subject != null && !subject.isEmpty()) {
            fields.add("subject=" + encode(subject));
        }
        if (body != null && !body.isEmpty()) {
            fields.add("body=" + encode(body.replace("\r\n", "\n").replace("\n", "\r\n")));
        }
        if (!fields.isEmpty()) {
            uri.append('?').append(String.join("&", fields));
        }
        return uri.toString();
    }

    /** Everything but unreserved characters and '@' is percent-encoded as UTF-8 (RFC 6068 section 2). */
    static String encode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~' || c == '@') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
