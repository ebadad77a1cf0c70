package org.crmbulk.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.consent.UnsubscribeMailto;
import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.template.MessageTemplates;
import org.junit.jupiter.api.Test;

/** What makes a message a campaign's: the links to leave in its headers and, where a part lacks it, in a footer. */
class CampaignMessageTest {

    private static final UnsubscribeTokens TOKENS = UnsubscribeTokens.parse("k1=" + "z".repeat(40));
    private static final UnsubscribeLinks LINKS = new UnsubscribeLinks("https://mail.example.cz/", TOKENS);
    private static final TemplateContent.Campaign CAMPAIGN = new TemplateContent.Campaign(LINKS, new UnsubscribeMailto("bounces", null, TOKENS),
            "\"Spring\" <ba7.example.cz>");
    private static final UnsubscribeMailto MAILTO = new UnsubscribeMailto("bounces", "bounces.example.cz", TOKENS);

    private static TemplateContent content(String text, String html) {
        return content(text, html, CAMPAIGN);
    }

    private static TemplateContent content(String text, String html, TemplateContent.Campaign campaign) {
        return new TemplateContent(1, "news@example.cz", null, null, "Hi", text, html, List.of(), Optional.empty(),
                MailMetrics.Mode.LAUNCH, Optional.of(campaign));
    }

    private static ClaimedDelivery delivery(long id, String language, String stopReason) {
        return new ClaimedDelivery(id, "eva@example.cz", null, false, "<" + id + ".x@example.cz>", 1, false,
                Map.of("email", "eva@example.cz", "firstName", "Eva", "language", language), Instant.now(), stopReason);
    }

    private static MailMessage compose(TemplateContent content, ClaimedDelivery d) {
        return content.compose(d, MessageTemplates.Limits.DEFAULT);
    }

    @Test
    void each_message_carries_its_own_one_click_link_and_the_list_it_belongs_to() {
        MailMessage m = compose(content("Hello {contact.firstName}", null), delivery(41, "en", null));
        String url = LINKS.url(41);
        assertThat(url).startsWith("https://mail.example.cz/u/k1.");
        assertThat(m.headers()).containsExactly(Map.entry("List-Unsubscribe", "<" + url + ">"),
                Map.entry("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"), Map.entry("List-Id", "\"Spring\" <ba7.example.cz>"));
        assertThat(m.text()).startsWith("Hello Eva").endsWith("Unsubscribe: " + url + "\n");
        assertThat(compose(content("x", null), delivery(42, "en", null)).headers().get("List-Unsubscribe")).isEqualTo("<" + LINKS.url(42) + ">");
    }

    @Test
    void with_a_bounce_domain_the_list_unsubscribe_header_also_offers_a_signed_mailto_address_of_that_delivery() throws Exception {
        TemplateContent content = content("x", null, new TemplateContent.Campaign(LINKS, MAILTO, "<ba7.example.cz>"));
        MailMessage m = compose(content, delivery(41, "en", null));

        String mailto = MAILTO.address(41);
        assertThat(mailto).matches("bounces\\+unsubscribe-[0-9a-f]{36}@bounces\\.example\\.cz").hasSizeLessThanOrEqualTo(64 + 1 + 18);
        assertThat(m.headers().get("List-Unsubscribe")).isEqualTo("<" + LINKS.url(41) + ">,\r\n <mailto:" + mailto + "?subject=unsubscribe>");
        assertThat(MAILTO.deliveryIn("To: <" + mailto.toUpperCase(java.util.Locale.ROOT) + ">")).as("mail servers may change the case")
                .hasValue(41);
        assertThat(MAILTO.deliveryIn(mailto.replace("bounces.example.cz", "bounces.example.cz.evil.example"))).isEmpty();
        assertThat(MAILTO.address(42)).isNotEqualTo(mailto);
        // The header as the wire carries it, read back by Jakarta Mail: two entries, the one-click link first.
        jakarta.mail.internet.MimeMessage wire = m.toMimeMessage(jakarta.mail.Session.getInstance(new java.util.Properties()));
        var out = new java.io.ByteArrayOutputStream();
        wire.writeTo(out);
        var read = new jakarta.mail.internet.MimeMessage(null, new java.io.ByteArrayInputStream(out.toByteArray()));
        assertThat(jakarta.mail.internet.MimeUtility.unfold(read.getHeader("List-Unsubscribe", null)))
                .isEqualTo("<" + LINKS.url(41) + ">, <mailto:" + mailto + "?subject=unsubscribe>");
    }

    @Test
    void a_template_that_shows_the_link_itself_gets_no_footer_in_that_part() {
        MailMessage m = compose(content("Leave here: {unsubscribeUrl}", "<body><p>Hello</p></body>"), delivery(5, "cs", null));
        assertThat(m.text()).isEqualTo("Leave here: " + LINKS.url(5));
        assertThat(m.html()).isEqualTo("<body><p>Hello</p><p style=\"font-size:12px;color:#555555\">Tyto e-maily už nechcete dostávat? "
                + "<a href=\"" + LINKS.url(5) + "\">Odhlásit odběr</a></p></body>");
    }

    @Test
    void an_address_suppressed_since_the_launch_began_is_skipped_with_the_reason() {
        List<Letter> letters = content("x", null).letters(List.of(delivery(9, "en", "skipped: suppressed (UNSUBSCRIBED, all marketing mail)")),
                MessageTemplates.Limits.DEFAULT);
        assertThat(letters).singleElement().isInstanceOfSatisfying(Letter.Settled.class, s -> {
            assertThat(s.outcome().kind()).isEqualTo(Outcome.Kind.SKIPPED);
            assertThat(s.outcome().reply()).isEqualTo("skipped: suppressed (UNSUBSCRIBED, all marketing mail)");
        });
    }

    @Test
    void activity_mail_and_content_without_a_campaign_carry_none_of_it() {
        TemplateContent plain = new TemplateContent(1, "news@example.cz", null, null, "Hi", "Body", null, List.of(), Optional.empty(),
                MailMetrics.Mode.TEST, Optional.empty());
        MailMessage m = compose(plain, delivery(3, "en", null));
        assertThat(m.headers()).isEmpty();
        assertThat(m.text()).isEqualTo("Body");
    }
}
