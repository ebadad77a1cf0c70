package org.crmbulk.api.activity;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6068 mailto: URIs, percent-encoded UTF-8, each at most {@code maxLength} characters whatever the
 * subject, body and recipients: clients are unreliable past about 2,000. Recipients are split over
 * several URIs when one would be longer; when even the longest single recipient does not fit beside the
 * subject and body, the body and then the subject are shortened on code point boundaries, ending in
 * "…", and the result says so (the .eml draft stays complete).
 */
final class MailtoLinks {

    private static final String ELLIPSIS = "…";

    record Result(List<String> uris, boolean split, boolean subjectShortened, boolean bodyShortened) {
    }

    private record Recipient(String address, boolean cc) {
    }

    private MailtoLinks() {
    }

    static Result build(List<String> to, List<String> cc, String subject, String body, int maxLength) {
        String crlfBody = body == null ? "" : body.replace("\r\n", "\n").replace("\n", "\r\n");
        String wholeSubject = subject == null ? "" : subject;
        List<Recipient> all = new ArrayList<>();
        to.forEach(a -> all.add(new Recipient(a, false)));
        cc.forEach(a -> all.add(new Recipient(a, true)));
        if (uri(all, wholeSubject, crlfBody).length() <= maxLength) {
            return new Result(List.of(uri(all, wholeSubject, crlfBody)), false, false, false);
        }
        // Subject and body must fit beside the recipient that makes the longest URI on its own.
        List<Recipient> widest = all.stream().map(List::of)
                .max((a, b) -> uri(a, "", "").length() - uri(b, "", "").length()).orElse(List.of());
        String usedSubject = wholeSubject;
        String usedBody = crlfBody;
        if (uri(widest, usedSubject, usedBody).length() > maxLength) {
            usedBody = longestFitting(crlfBody, b -> uri(widest, wholeSubject, b).length() <= maxLength);
            if (usedBody.isEmpty()) {
                usedSubject = longestFitting(wholeSubject, s -> uri(widest, s, "").length() <= maxLength);
            }
        }
        List<String> uris = new ArrayList<>();
        List<Recipient> chunk = new ArrayList<>();
        for (Recipient r : all) {
            chunk.add(r);
            if (chunk.size() > 1 && uri(chunk, usedSubject, usedBody).length() > maxLength) {
                chunk.remove(chunk.size() - 1);
                uris.add(uri(chunk, usedSubject, usedBody));
                chunk = new ArrayList<>(List.of(r));
            }
        }
        uris.add(uri(chunk, usedSubject, usedBody));
        return new Result(uris, uris.size() > 1, !usedSubject.equals(wholeSubject), !usedBody.equals(crlfBody));
    }

    /**
     * The longest prefix of {@code text}, cut between code points (never inside a surrogate pair or CR LF)
     * and marked with "…", for which {@code fits} holds; empty when none does. Binary search: the encoded
     * length grows with the prefix.
     */
    private static String longestFitting(String text, java.util.function.Predicate<String> fits) {
        int[] cuts = text.codePoints().toArray();
        int low = 0;
        int high = cuts.length - 1;
        String best = "";
        while (low <= high) {
            int mid = (low + high) >>> 1;
            String candidate = shortened(text, mid);
            if (fits.test(candidate)) {
                best = candidate;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return best;
    }

    private static String shortened(String text, int codePoints) {
        String prefix = text.substring(0, text.offsetByCodePoints(0, codePoints));
        if (prefix.endsWith("\r")) {
            prefix = prefix.substring(0, prefix.length() - 1); // never split a CR LF line break
        }
        return prefix + ELLIPSIS;
    }

    private static String uri(List<Recipient> recipients, String subject, String body) {
        return uri(recipients.stream().filter(r -> !r.cc()).map(Recipient::address).toList(),
                recipients.stream().filter(Recipient::cc).map(Recipient::address).toList(), subject, body);
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
            fields.add("body=" + encode(body));
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
