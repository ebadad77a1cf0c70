package org.crmbulk.api.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class MailtoLinksTest {

    private static final int MAX = 2000;

    @Test
    void subject_and_body_are_percent_encoded_utf8_with_crlf_line_breaks() {
        MailtoLinks.Result r = MailtoLinks.build(List.of("jana@example.cz"), List.of("info@example.cz"), "Schůzka & co?",
                "Ahoj,\nzítra.", MAX);
        assertThat(r.uris()).containsExactly(
                "mailto:jana@example.cz?cc=info@example.cz&subject=Sch%C5%AFzka%20%26%20co%3F&body=Ahoj%2C%0D%0Az%C3%ADtra.");
        assertThat(r.split()).isFalse();
        assertThat(r.bodyShortened()).isFalse();
        assertThat(r.subjectShortened()).isFalse();
    }

    @Test
    void too_many_recipients_for_one_uri_are_split_over_several_each_within_the_limit() {
        List<String> to = IntStream.range(0, 120).mapToObj(i -> "recipient" + i + "@example.cz").toList();
        MailtoLinks.Result r = MailtoLinks.build(to, List.of(), "Subject", "Body", MAX);

        assertThat(r.split()).isTrue();
        assertThat(r.uris()).hasSizeGreaterThan(1).allSatisfy(u -> assertThat(u.length()).isLessThanOrEqualTo(MAX));
        assertThat(decoded(r).to()).containsExactlyElementsOf(to);
    }

    @Test
    void a_body_too_long_for_any_uri_is_shortened_and_says_so() {
        MailtoLinks.Result r = MailtoLinks.build(List.of("a@example.cz"), List.of(), "S", "ž".repeat(2000), MAX);
        assertThat(r.bodyShortened()).isTrue();
        assertThat(r.uris()).singleElement().satisfies(u -> assertThat(u.length()).isLessThanOrEqualTo(MAX));
    }

    @Test
    void a_long_czech_subject_is_shortened_too_and_the_uri_stays_within_the_limit() {
        String subject = "Pozvánka na poradu o příštím čtvrtletí – ".repeat(21); // 839+ characters, ~2,900 encoded
        MailtoLinks.Result r = MailtoLinks.build(List.of("jana@example.cz"), List.of(), subject, "Dobrý den", MAX);
        assertThat(r.uris()).singleElement().satisfies(u -> assertThat(u.length()).isLessThanOrEqualTo(MAX));
        assertThat(r.subjectShortened()).isTrue();
        Decoded d = decoded(r);
        assertThat(subject).startsWith(d.subject().substring(0, d.subject().length() - 1));
    }

    @Test
    void an_emoji_body_is_cut_between_code_points_never_inside_a_surrogate_pair() {
        String body = "😀".repeat(400);
        MailtoLinks.Result r = MailtoLinks.build(List.of("a@example.cz"), List.of(), "Hi", body, MAX);
        assertThat(r.bodyShortened()).isTrue();
        assertThat(decoded(r).body()).matches("(😀)+…");
    }

    /** Random Unicode subjects, bodies and recipient sets: every URI within the limit, everything decodes back cleanly. */
    @Test
    void any_subject_body_and_recipients_give_uris_within_the_limit_that_decode_back() {
        Random random = new Random(20261201);
        for (int run = 0; run < 400; run++) {
            List<String> to = addresses(random, random.nextInt(60), "to");
            List<String> cc = addresses(random, random.nextInt(30), "cc");
            if (to.isEmpty() && cc.isEmpty()) {
                to = List.of("only@example.cz");
            }
            String subject = unicode(random, random.nextInt(random.nextBoolean() ? 60 : 1500));
            String body = unicode(random, random.nextInt(random.nextBoolean() ? 200 : 5000));

            MailtoLinks.Result r = MailtoLinks.build(to, cc, subject, body, MAX);

            String seed = "run " + run;
            assertThat(r.uris()).as(seed).allSatisfy(u -> assertThat(u.length()).as(seed).isLessThanOrEqualTo(MAX));
            List<Decoded> parts = r.uris().stream().map(MailtoLinksTest::decode).toList();
            assertThat(parts.stream().flatMap(p -> p.to().stream()).toList()).as(seed).containsExactlyElementsOf(to.isEmpty() ? List.of() : to);
            assertThat(parts.stream().flatMap(p -> p.cc().stream()).toList()).as(seed).containsExactlyElementsOf(cc);
            String crlfBody = body.replace("\r\n", "\n").replace("\n", "\r\n");
            for (Decoded p : parts) {
                assertThat(cleanPrefix(p.subject(), subject, r.subjectShortened())).as(seed + " subject").isTrue();
                assertThat(cleanPrefix(p.body(), crlfBody, r.bodyShortened())).as(seed + " body").isTrue();
            }
        }
    }

    private static boolean cleanPrefix(String decoded, String original, boolean shortened) {
        if (!shortened) {
            return decoded.equals(original);
        }
        if (decoded.isEmpty()) {
            return true;
        }
        String prefix = decoded.substring(0, decoded.length() - 1);
        return decoded.endsWith("…") && original.startsWith(prefix)
                && (prefix.isEmpty() || !Character.isHighSurrogate(prefix.charAt(prefix.length() - 1)));
    }

    private static List<String> addresses(Random random, int n, String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i + "." + "x".repeat(random.nextInt(40)) + "+tag@example" + random.nextInt(9) + ".cz");
        }
        return out;
    }

    private static String unicode(Random random, int length) {
        String[] pool = {"a", "Ž", "ř", " ", "\n", "\r\n", "&", "=", "?", "%", "#", "😀", "👩‍👩‍👧", "中", "\u0301", "ß", "€", "\t", "+", "/"};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append(pool[random.nextInt(pool.length)]);
        }
        return s.toString();
    }

    record Decoded(List<String> to, List<String> cc, String subject, String body) {
    }

    private static Decoded decoded(MailtoLinks.Result r) {
        List<Decoded> parts = r.uris().stream().map(MailtoLinksTest::decode).toList();
        return new Decoded(parts.stream().flatMap(p -> p.to().stream()).toList(), parts.stream().flatMap(p -> p.cc().stream()).toList(),
                parts.get(0).subject(), parts.get(0).body());
    }

    /** Parses a mailto: URI as a client would, refusing any percent-encoding that is not valid UTF-8. */
    private static Decoded decode(String uri) {
        String rest = uri.substring("mailto:".length());
        int q = rest.indexOf('?');
        String path = q < 0 ? rest : rest.substring(0, q);
        List<String> to = path.isEmpty() ? List.of() : List.of(strict(path).split(","));
        List<String> cc = List.of();
        String subject = "";
        String body = "";
        if (q >= 0) {
            for (String field : rest.substring(q + 1).split("&")) {
                String[] kv = field.split("=", 2);
                String value = strict(kv[1]);
                switch (kv[0]) {
                    case "cc" -> cc = List.of(value.split(","));
                    case "subject" -> subject = value;
                    case "body" -> body = value;
                    default -> throw new AssertionError("unexpected field " + kv[0]);
                }
            }
        }
        return new Decoded(to, cc, subject, body);
    }

    private static String strict(String encoded) {
        assertThat(encoded).doesNotContain("+"); // '+' would read as a space in forms; it must be %2B
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%') {
                bytes.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("not valid UTF-8 after decoding: " + encoded, e);
        }
    }
}
