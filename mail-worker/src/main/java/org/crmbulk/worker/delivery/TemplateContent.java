package org.crmbulk.worker.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.consent.OptOutFooter;
import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.consent.UnsubscribeMailto;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.contract.template.MessageTemplates;

/**
 * A bulk action's content version, frozen by the launch or test send that took it, rendered for each
 * recipient's contact: a test send renders exactly as a launch does, so it shows what recipients get. A campaign
 * message carries its unsubscribe link in the headers (RFC 2369, RFC 8058; with a {@code mailto:} entry beside it), as {@code {unsubscribeUrl}} and, where
 * a part does not show it, in a footer; and its List-Id (RFC 2919).
 */
public record TemplateContent(long versionId, String from, String fromName, String replyTo, String subjectTemplate,
        String textTemplate, String htmlTemplate, List<MimeBodies.Attachment> attachments, Optional<ActivityRule> activity,
        MailMetrics.Mode mode, Optional<Campaign> campaign) implements MailContent {

    /**
     * What makes a message a campaign's: its links to leave (the {@code mailto:} one where a bounce domain receives it), and
     * the list it belongs to ({@code "name" <id.domain>}).
     */
    public record Campaign(UnsubscribeLinks links, UnsubscribeMailto mailto, String listId) {
    }

    @Override
    public int recipientsPerMessage() {
        return 1;
    }

    @Override
    public List<Letter> letters(List<ClaimedDelivery> claimed, MessageTemplates.Limits limits) {
        List<Letter> letters = new ArrayList<>(claimed.size());
        for (ClaimedDelivery d : claimed) {
            if (d.stopReason() != null) {
                letters.add(new Letter.Settled(Outcome.skipped(d, d.stopReason())));
                continue;
            }
            if (d.contact() == null) {
                letters.add(new Letter.Settled(Outcome.skipped(d, "skipped: the contact was deleted")));
                continue;
            }
            try {
                letters.add(new Letter.Message(compose(d, limits), List.of(d)));
            } catch (MessageTemplates.RenderException e) {
                letters.add(new Letter.Settled(Outcome.failed(d, "template: " + e.getMessage(), null)));
            }
        }
        return letters;
    }

    /** @throws MessageTemplates.RenderException when this contact's message cannot be rendered within the limits */
    MailMessage compose(ClaimedDelivery d, MessageTemplates.Limits limits) {
        String url = campaign.map(c -> c.links().url(d.id())).orElse(null);
        MessageTemplates.Merge merge = new MessageTemplates.Merge(d.contact(),
                url == null ? Map.of() : Map.of(MessageTemplates.UNSUBSCRIBE_URL, url));
        String subject = MessageTemplates.renderSubject(subjectTemplate, merge, limits);
        String html = htmlTemplate == null ? null : MessageTemplates.renderHtml(htmlTemplate, merge, limits);
        String text = textTemplate != null ? MessageTemplates.renderText(textTemplate, merge, limits) : MessageTemplates.textFromHtml(html);
        Map<String, String> headers = Map.of();
        if (url != null) {
            boolean czech = OptOutFooter.czech(d.contact().get("language"));
            text = OptOutFooter.text(text, url, czech);
            html = html == null ? null : OptOutFooter.html(html, url, czech);
            headers = new LinkedHashMap<>();
            String mailto = campaign.get().mailto().address(d.id());
            headers.put("List-Unsubscribe", mailto == null ? "<" + url + ">" : "<" + url + ">,\r\n <mailto:" + mailto + "?subject=unsubscribe>");
            headers.put("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            headers.put("List-Id", campaign.get().listId());
        }
        return new MailMessage(new MailMessage.Mailbox(from, fromName), replyTo, List.of(MailMessage.Mailbox.of(d.email())), List.of(),
                subject, text, html, attachments, d.messageId(), headers);
    }
}
