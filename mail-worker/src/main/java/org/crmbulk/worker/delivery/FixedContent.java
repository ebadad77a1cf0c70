package org.crmbulk.worker.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.contract.template.MessageTemplates;

/**
 * An activity's message as its mail task froze it. INDIVIDUAL: one message per recipient. BULK: one message
 * to a whole chunk (its TO recipients in To, the cc group in Cc), chunks only as large as the relay allows
 * (RFC 5321 guarantees 100 recipients per message); the chunk shares its first delivery's Message-ID.
 */
public record FixedContent(DeliveryMode deliveryMode, String from, String fromName, String subject, String text, String html,
        List<MimeBodies.Attachment> attachments, int maxRecipientsPerMessage) implements MailContent {

    @Override
    public int recipientsPerMessage() {
        return deliveryMode == DeliveryMode.BULK ? maxRecipientsPerMessage : 1;
    }

    @Override
    public MailMetrics.Mode mode() {
        return deliveryMode == DeliveryMode.BULK ? MailMetrics.Mode.BULK : MailMetrics.Mode.INDIVIDUAL;
    }

    @Override
    public Optional<ActivityRule> activity() {
        return Optional.empty();
    }

    @Override
    public List<Letter> letters(List<ClaimedDelivery> claimed, MessageTemplates.Limits limits) {
        List<Letter> letters = new ArrayList<>();
        List<ClaimedDelivery> sendable = new ArrayList<>(claimed.size());
        for (ClaimedDelivery d : claimed) {
            if (d.stopReason() != null) {
                letters.add(new Letter.Settled(Outcome.skipped(d, d.stopReason())));
            } else {
                sendable.add(d);
            }
        }
        int size = recipientsPerMessage();
        for (int from = 0; from < sendable.size(); from += size) {
            List<ClaimedDelivery> chunk = sendable.subList(from, Math.min(sendable.size(), from + size));
            List<MailMessage.Mailbox> to = chunk.stream().filter(d -> !d.cc() || size == 1).map(ClaimedDelivery::mailbox).toList();
            List<MailMessage.Mailbox> cc = chunk.stream().filter(d -> d.cc() && size > 1).map(ClaimedDelivery::mailbox).toList();
            if (to.isEmpty()) {
                to = cc;
                cc = List.of();
            }
            letters.add(new Letter.Message(new MailMessage(new MailMessage.Mailbox(this.from, fromName), null, to, cc, subject, text,
                    html, attachments, chunk.get(0).messageId(), Map.of()), List.copyOf(chunk)));
        }
        return letters;
    }
}
