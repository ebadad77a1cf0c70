package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.crmbulk.contract.template.MessageTemplates;
import org.junit.jupiter.api.Test;

class MessageTemplatesTest {

    private static final Map<String, Object> JANA = Map.of("firstName", "Jana", "custom", Map.of("city", "Brno"));

    @Test
    void contact_fields_and_custom_fields_merge_in() {
        assertThat(MessageTemplates.renderText("Dobrý den, {contact.firstName} z {contact.custom.city}", JANA))
                .isEqualTo("Dobrý den, Jana z Brno");
    }

    @Test
    void a_value_missing_for_one_contact_renders_empty() {
        assertThat(MessageTemplates.renderText("[{contact.lastName}][{contact.custom.zip}]", JANA)).isEqualTo("[][]");
    }

    @Test
    void merged_values_are_escaped_in_html_but_not_in_text() {
        Map<String, Object> evil = Map.of("firstName", "<script>x</script>");
        assertThat(MessageTemplates.renderHtml("<p>{contact.firstName}</p>", evil)).isEqualTo("<p>&lt;script&gt;x&lt;/script&gt;</p>");
        assertThat(MessageTemplates.renderText("{contact.firstName}", evil)).isEqualTo("<script>x</script>");
    }

    @Test
    void a_syntax_error_is_reported_with_its_line() {
        assertThat(MessageTemplates.check("Hello\n{#if contact.firstName}unclosed"))
                .singleElement().satisfies(p -> {
                    assertThat(p.line()).isGreaterThanOrEqualTo(1);
                    assertThat(p.reason()).startsWith("syntax error");
                });
    }

    @Test
    void an_unknown_field_is_reported_with_line_and_column() {
        assertThat(MessageTemplates.check("Hi\n  {contact.nickname} and {user.name}"))
                .extracting(MessageTemplates.Problem::line, MessageTemplates.Problem::column)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, 3), org.assertj.core.groups.Tuple.tuple(2, 26));
        assertThat(MessageTemplates.check("{contact.custom}")).hasSize(1);
        assertThat(MessageTemplates.check("{contact.firstName} {contact.custom.city}")).isEmpty();
    }

    @Test
    void html_gets_a_readable_text_part() {
        assertThat(MessageTemplates.textFromHtml("<h1>Sale</h1><p>Dear Jana,<br>50&nbsp;% off &amp; more</p><ul><li>A</li></ul>"))
                .isEqualTo("Sale\nDear Jana,\n50 % off & more\n- A");
    }
}
