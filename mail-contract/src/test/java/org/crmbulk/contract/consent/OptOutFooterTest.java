package org.crmbulk.contract.consent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OptOutFooterTest {

    private static final String URL = "https://mail.example.cz/u/a.TOKEN";

    @Test
    void a_part_without_the_link_gets_the_footer_in_the_contacts_language() {
        assertThat(OptOutFooter.text("Hello", URL, false)).isEqualTo("Hello\n\n-- \nNo longer want these e-mails? Unsubscribe: " + URL + "\n");
        assertThat(OptOutFooter.text("Ahoj\n", URL, true)).isEqualTo("Ahoj\n\n-- \nTyto e-maily už nechcete dostávat? Odhlaste se: " + URL + "\n");
        assertThat(OptOutFooter.czech("cs-CZ")).isTrue();
        assertThat(OptOutFooter.czech("CS")).isTrue();
        assertThat(OptOutFooter.czech("en")).isFalse();
        assertThat(OptOutFooter.czech(null)).isFalse();
    }

    @Test
    void a_part_that_shows_the_link_itself_is_left_as_it_is() {
        assertThat(OptOutFooter.text("Leave: " + URL, URL, false)).isEqualTo("Leave: " + URL);
        String html = "<p><a href=\"" + URL + "\">leave</a></p>";
        assertThat(OptOutFooter.html(html, URL, false)).isEqualTo(html);
        String single = "<p><A class='x' HREF = '" + URL + "'>leave</A></p>";
        assertThat(OptOutFooter.html(single, URL, false)).isEqualTo(single);
    }

    @Test
    void the_link_only_as_text_or_hidden_in_a_comment_is_not_a_way_out_so_the_footer_is_added() {
        for (String html : java.util.List.of("<p>" + URL + "</p>", "<!-- <a href=\"" + URL + "\">x</a> --><p>Hi</p>",
                "<a href=\"" + URL + "x\">near miss</a>")) {
            assertThat(OptOutFooter.html(html, URL, false)).as(html).endsWith("<a href=\"" + URL + "\">Unsubscribe</a></p>");
        }
    }

    @Test
    void the_html_footer_goes_before_the_last_closing_body_tag_or_at_the_end() {
        assertThat(OptOutFooter.html("<html><body><p>Hi</p></BODY ></html>", URL, false))
                .isEqualTo("<html><body><p>Hi</p><p style=\"font-size:12px;color:#555555\">No longer want these e-mails? <a href=\""
                        + URL + "\">Unsubscribe</a></p></BODY ></html>");
        assertThat(OptOutFooter.html("<p>Hi</p>", URL, true)).startsWith("<p>Hi</p><p").endsWith("Odhlásit odběr</a></p>");
    }
}
