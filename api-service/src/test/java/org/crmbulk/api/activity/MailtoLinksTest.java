package org.crmbulk.api.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class MailtoLinksTest {

    @Test
    void subject_and_body_are_percent_encoded_utf8_with_crlf_line_breaks() {
        MailtoLinks.Result r = MailtoLinks.build(List.of("jana@example.cz"), List.of("info@example.cz"), "Schůzka & co?",
                "Ahoj,\nzítra.", 2000);
        assertThat(r.uris()).containsExactly(
                "mailto:jana@example.cz?cc=info@example.cz&subject=Sch%C5%AFzka%20%26%20co%3F&body=Ahoj%2C%0D%0Az%C3%ADtra.");
        assertThat(r.split()).isFalse();
        assertThat(r.bodyShortened()).isFalse();
    }

    @Test
    void too_many_recipients_for_one_uri_are_split_over_several_each_within_the_limit() {
        List<String> to = IntStream.range(0, 120).mapToObj(i -> "recipient" + i + "@example.cz").toList();
        MailtoLinks.Result r = MailtoLinks.build(to, List.of(), "Subject", "Body", 2000);

        assertThat(r.split()).isTrue();
        assertThat(r.uris()).hasSizeGreaterThan(1).allSatisfy(u -> assertThat(u.length()).isLessThanOrEqualTo(2000));
        List<String> all = new ArrayList<>();
        r.uris().forEach(u -> all.addAll(List.of(URLDecoder.decode(u.substring(7, u.indexOf('?')), StandardCharsets.UTF_8).split(","))));
        assertThat(all).containsExactlyElementsOf(to);
    }

    @Test
    void a_body_too_long_for_any_uri_is_shortened_and_says_so() {
        MailtoLinks.Result r = MailtoLinks.build(List.of("a@example.cz"), List.of(), "S", "ž".repeat(2000), 2000);
        assertThat(r.bodyShortened()).isTrue();
        assertThat(r.uris()).singleElement().satisfies(u -> assertThat(u.length()).isLessThanOrEqualTo(2000));
    }
}
