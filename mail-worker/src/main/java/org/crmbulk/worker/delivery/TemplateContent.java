package org.crmbulk.worker.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.contract.template.MessageTemplates;

/**
 * A bulk action's content version, frozen by the launch or test send that took it, rendered for each
 * recipient's contact: a test send renders exactly as a launch does, so it shows what recipients get.
 */
public record TemplateContent(long versionId, String from, String fromName, String replyTo, String subjectTemplate,
        String textTemplate, String htmlTemplate, List<MimeBodies.Attachment> attachments, Optional<ActivityRule> activity,
        MailMetrics.Mode mode) implements MailContent {

    @Override
    public int recipientsPerMessage() {
        return 1;
    }

    @Override
    public List<Letter> letters(List<ClaimedDelivery> claimed, MessageTemplates.Limits limits) {
        List<Letter> letters = new ArrayList<>(claimed.size());
        for (ClaimedDelivery d : claimed) {
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
        MessageTemplates.Merge merge = MessageTemplates.Merge.of(d.contact());
        String subject = MessageTemplates.renderSubject(subjectTemplate, merge, limits);
        String html = htmlTemplate == null ? null : MessageTemplates.renderHtml(htmlTemplate, merge, limits);
        String text = textTemplate != null ? MessageTemplates.renderText(textTemplate, merge, limits) : MessageTemplates.textFromHtml(html);
        return new MailMessage(new MailMessage.Mailbox(from, fromName), replyTo, List.of(MailMessage.Mailbox.of(d.email())), List.of(),
                subject, text, html, attachments, d.messageId(), Map.of());
    }
}
