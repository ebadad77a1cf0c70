package org.crmbulk.worker.smtp;

import java.util.List;

import org.crmbulk.contract.mime.MimeBodies;

/**
 * One fully rendered message (to one recipient, or to many for BULK activity mail); {@code messageId} is fixed per delivery so a resend
 * reuses it. {@code html} may be null (text only); attachments are shared, never copied per message.
 */
public record OutgoingMail(String from, String replyTo, List<String> to, List<String> cc, String subject, String text,
        String html, List<MimeBodies.Attachment> attachments, String messageId) {
}
