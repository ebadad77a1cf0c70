package org.crmbulk.contract.mime;

import java.io.UnsupportedEncodingException;
import java.util.List;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/**
 * One message as the services compose it: the worker sends it over SMTP, api-service writes it as an
 * .eml draft. Headers and body are made here only, so a draft carries what a sent mail would.
 *
 * @param messageId fixed per delivery so that a resend reuses it; null lets the composer make one
 * @param headers   further headers, in order (e.g. {@code X-Unsent: 1} for a draft)
 */
public record MailMessage(Mailbox from, String replyTo, List<Mailbox> to, List<Mailbox> cc, String subject, String text,
        String html, List<MimeBodies.Attachment> attachments, String messageId, Map<String, String> headers) {

    /** An address with an optional display name (RFC 2047-encoded when it is not ASCII). */
    public record Mailbox(String email, String name) {
        public static Mailbox of(String email) {
            return new Mailbox(email, null);
        }

        InternetAddress internet() throws MessagingException {
            try {
                return name == null || name.isBlank() ? new InternetAddress(email, true)
                        : new InternetAddress(email, name, "UTF-8");
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException("UTF-8 is always supported", e);
            }
        }
    }

    /** Every recipient of the message (To, then Cc), as given. */
    public List<Mailbox> recipients() {
        return java.util.stream.Stream.concat(to.stream(), cc.stream()).toList();
    }

    public MimeMessage toMimeMessage(Session session) throws MessagingException {
        MimeMessage m = new FixedIdMessage(session, messageId);
        m.setFrom(from.internet());
        if (replyTo != null) {
            m.setReplyTo(new Address[] {Mailbox.of(replyTo).internet()});
        }
        m.setRecipients(Message.RecipientType.TO, addresses(to));
        if (!cc.isEmpty()) {
            m.setRecipients(Message.RecipientType.CC, addresses(cc));
        }
        m.setSubject(subject, "UTF-8");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            m.setHeader(header.getKey(), header.getValue());
        }
        MimeBodies.fill(m, text, html, attachments);
        m.saveChanges();
        return m;
    }

    private static InternetAddress[] addresses(List<Mailbox> list) throws MessagingException {
        InternetAddress[] out = new InternetAddress[list.size()];
        for (int i = 0; i < list.size(); i++) {
            out[i] = list.get(i).internet();
        }
        return out;
    }

    /** Keeps the delivery's own Message-ID: a resend after a crash must carry the same one. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String id;

        FixedIdMessage(Session session, String id) {
            super(session);
            this.id = id;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            if (id == null) {
                super.updateMessageID();
            } else {
                setHeader("Message-ID", id);
            }
        }
    }
}
