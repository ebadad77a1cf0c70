package org.crmbulk.contract.mime;

import java.io.UnsupportedEncodingException;
import java.util.List;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

/**
 * The body of every message the services compose: text, or text and HTML as alternatives, with the
 * attachments beside them. The worker's SMTP sends and api-service's .eml drafts both use it, so a
 * draft carries what a sent mail would. Headers stay with the callers.
 */
public final class MimeBodies {

    public record Attachment(String filename, String contentType, byte[] content) {
    }

    private MimeBodies() {
    }

    /** @param html null for a text-only message */
    public static void fill(MimeMessage message, String text, String html, List<Attachment> attachments) throws MessagingException {
        MimeMultipart alternative = null;
        if (html != null) {
            alternative = new MimeMultipart("alternative");
            MimeBodyPart plain = new MimeBodyPart();
            plain.setText(text, "UTF-8");
            MimeBodyPart rich = new MimeBodyPart();
            rich.setText(html, "UTF-8", "html");
            alternative.addBodyPart(plain);
            alternative.addBodyPart(rich);
        }
        if (attachments.isEmpty()) {
            if (alternative == null) {
                message.setText(text, "UTF-8");
            } else {
                message.setContent(alternative);
            }
            return;
        }
        MimeBodyPart body = new MimeBodyPart();
        if (alternative == null) {
            body.setText(text, "UTF-8");
        } else {
            body.setContent(alternative);
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        for (Attachment a : attachments) {
            MimeBodyPart part = new MimeBodyPart();
            part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), a.contentType())));
            try {
                part.setFileName(MimeUtility.encodeText(a.filename(), "UTF-8", null));
            } catch (UnsupportedEncodingException e) {
                part.setFileName(a.filename());
            }
            part.setDisposition(Part.ATTACHMENT);
            // base64 keeps every byte: a text attachment sent as 7bit/quoted-printable would get CRLF line ends.
            part.setHeader("Content-Transfer-Encoding", "base64");
            mixed.addBodyPart(part);
        }
        message.setContent(mixed);
    }
}
