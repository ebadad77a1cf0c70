package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.crmbulk.contract.template.MessageTemplates;
import org.crmbulk.contract.template.MessageTemplates.Limits;
import org.crmbulk.contract.template.MessageTemplates.Merge;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageTemplatesTest {

    private static final Map<String, Object> JANA = Map.of("firstName", "Jana", "language", "cs",
            "custom", Map.of("city", "Brno", "items", List.of(Map.of("name", "A"), Map.of("name", "B"))));

    private static String text(String template, Map<String, Object> contact) {
        return MessageTemplates.renderText(template, Merge.of(contact), Limits.DEFAULT);
    }

    @Test
    void contact_fields_and_custom_fields_merge_in() {
        assertThat(text("Dobrý den, {contact.firstName} z {contact.custom.city}", JANA)).isEqualTo("Dobrý den, Jana z Brno");
    }

    @Test
    void a_value_missing_for_one_contact_renders_empty() {
        assertThat(text("[{contact.lastName}][{contact.custom.zip}]", JANA)).isEqualTo("[][]");
    }

    @Test
    void merged_values_are_escaped_in_html_but_not_in_text() {
        Map<String, Object> evil = Map.of("firstName", "<script>x</script>");
        assertThat(MessageTemplates.renderHtml("<p>{contact.firstName}</p>", Merge.of(evil), Limits.DEFAULT))
                .isEqualTo("<p>&lt;script&gt;x&lt;/script&gt;</p>");
        assertThat(text("{contact.firstName}", evil)).isEqualTo("<script>x</script>");
    }

    @Test
    void contact_data_is_data_even_when_it_looks_like_a_template() {
        Map<String, Object> sly = Map.of("firstName", "{contact.email}{#include x}", "email", "secret@example.cz",
                "custom", Map.of("tpl", "{contact.email}"));
        assertThat(text("{contact.firstName}|{contact.custom.tpl}", sly)).isEqualTo("{contact.email}{#include x}|{contact.email}");
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

    /** Each of these is code, not data: refused when saved, with its place. */
    @ParameterizedTest
    @ValueSource(strings = {
            "{#eval contact.custom.tpl}",
            "{#include foo}",
            "{#include foo /}",
            "{#insert body}x{/insert}",
            "{#let x=contact.firstName}{x}{/let}",
            "{#with contact}{firstName}{/with}",
            "{#when contact.language}{#is 'cs'}x{/when}",
            "{#fragment id=f}x{/fragment}",
            "{config:foo}",
            "{cdi:someBean.secret}",
            "{inject:someBean}",
            "{contact.custom.get(config:foo)}",
            "{contact.custom.get(cdi:bean)}",
            "{contact.firstName.toUpperCase()}",
            "{contact.custom.city.replace('a','b')}",
            "{contact.firstName ?: config:foo}",
            "{str:concat('a', 'b')}",
            "{#for i in 1000000}x{/for}",
            "{#for i in 10}{i}{/for}",
            "{#each contact.firstName.chars}x{/each}",
            "{#for a in contact.custom.x}{#for b in a.y}{#for c in b.z}{c}{/for}{/for}{/for}",
            "{#if config:foo}x{/if}",
            "{data:contact.firstName}",
            "{contact}",
            "{contact.custom.a.b}"})
    void a_construct_outside_the_allow_list_is_refused_at_save(String template) {
        List<MessageTemplates.Problem> problems = MessageTemplates.check("Dobrý den,\n" + template);
        assertThat(problems).as(template).isNotEmpty()
                .allSatisfy(p -> assertThat(p.line()).as("line of " + template).isEqualTo(2));
    }

    @Test
    void conditionals_bounded_loops_and_the_fallback_are_allowed_and_render() {
        String template = "{#if contact.language == 'cs'}Dobrý den{#else}Hello{/if} {contact.lastName ?: 'zákazníku'}:"
                + "{#for item in contact.custom.items} {item_count}.{item.name}{/for}{#each contact.custom.items}{#if it_hasNext},{/if}{/each}";
        assertThat(MessageTemplates.check(template)).isEmpty();
        assertThat(text(template, JANA)).isEqualTo("Dobrý den zákazníku: 1.A 2.B,");
    }

    @Test
    void a_part_longer_than_its_limit_is_a_render_error_with_the_reason() {
        Map<String, Object> big = Map.of("custom", Map.of("note", "x".repeat(500)));
        Limits small = new Limits(100, 1_000, 2_000);
        assertThatThrownBy(() -> MessageTemplates.renderText("{contact.custom.note}{contact.custom.note}{contact.custom.note}",
                Merge.of(big), small))
                .isInstanceOf(MessageTemplates.RenderException.class).hasMessageContaining("longer than 1000 characters");
        assertThatThrownBy(() -> MessageTemplates.renderSubject("{contact.custom.note}", Merge.of(big), small))
                .isInstanceOf(MessageTemplates.RenderException.class).hasMessageContaining("subject");
        assertThat(MessageTemplates.renderText("{contact.custom.note}", Merge.of(big), small)).hasSize(500);
    }

    @Test
    void a_loop_over_more_items_than_allowed_is_a_render_error_not_a_long_wait() {
        Map<String, Object> many = Map.of("custom", Map.of("items",
                IntStream.range(0, MessageTemplates.MAX_LOOP_ITEMS + 1).boxed().toList()));
        assertThatThrownBy(() -> text("{#for i in contact.custom.items}{i}{/for}", many))
                .isInstanceOf(MessageTemplates.RenderException.class).hasMessageContaining("at most " + MessageTemplates.MAX_LOOP_ITEMS);
    }

    @Test
    void the_subject_stays_one_line_whatever_the_contact_holds() {
        assertThat(MessageTemplates.renderSubject("Hi {contact.firstName}", Merge.of(Map.of("firstName", "A\r\nBcc: x@y.cz")),
                Limits.DEFAULT)).isEqualTo("Hi A Bcc: x@y.cz");
    }

    @Test
    void html_gets_a_readable_text_part() {
        assertThat(MessageTemplates.textFromHtml("<h1>Sale</h1><p>Dear Jana,<br>50&nbsp;% off &amp; more</p><ul><li>A</li></ul>"))
                .isEqualTo("Sale\nDear Jana,\n50 % off & more\n- A");
    }

    @Test
    void the_text_part_keeps_link_targets_decodes_entities_and_separates_cells() {
        String html = "<p>&copy; 2026 &#8211; 100&nbsp;&euro;</p><p>Read <a href=\"https://shop.example.cz/jaro\">our offer</a>"
                + " or <a href=\"mailto:info@example.cz\">write</a>.</p>"
                + "<table><tr><td>Item</td><td>Price</td></tr><tr><td>A</td><td>10</td></tr></table>"
                + "<style>p{color:red}</style><script>alert(1)</script><div>End</div>";
        assertThat(MessageTemplates.textFromHtml(html)).isEqualTo("""
                © 2026 – 100 €
                Read our offer (https://shop.example.cz/jaro) or write (info@example.cz).
                Item\tPrice
                A\t10
                End""");
    }
}
