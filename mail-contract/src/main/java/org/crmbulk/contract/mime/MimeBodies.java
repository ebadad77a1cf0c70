package org.crmbulk.contract.mime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;

import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.internet.ContentDisposition;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;

/**
 * The body of every message the services compose: text, or text and HTML as alternatives, with the
 * attachments beside them. The worker's SMTP sends and api-service's .eml drafts both use it, so a
 * draft carries what a sent mail would. Headers stay with the callers.
 */
public final class MimeBodies {

    static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        // jakarta.mail-api 2.1 finds its StreamProvider with a ServiceLoader jar scan on every encode (mail-api#861),
        // about a tenth of the worker's CPU per message; naming the implementation makes it a plain class lookup.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
        }
    }

    /**
     * A stream that takes an attachment's encoded body by reference rather than as a copy: the worker prepares each
     * shared body for the wire once per launch and writes it to the relay as it is.
     */
    public interface SharedBodySink {
        /** The body of a part, the same array for every message that carries it; never changed. */
        void shared(byte[] body) throws IOException;
    }

    /**
     * A file sent with a message. Its MIME part (headers and base64 body) is encoded once, on first
     * use, and then shared by every message that carries it: a launch sends the same bytes to each recipient.
     */
    public static final class Attachment {

        private final String filename;
        private final String contentType;
        private final byte[] content;
        private volatile Encoded encoded;

        private record Encoded(InternetHeaders headers, byte[] body) {
        }

        public Attachment(String filename, String contentType, byte[] content) {
            this.filename = filename;
            this.contentType = contentType;
            this.content = content;
        }

        public String filename() {
            return filename;
        }

        public String contentType() {
            return contentType;
        }

        public byte[] content() {
            return content;
        }

        /** A new part over the shared encoded bytes (a part belongs to one message; the bytes are never copied or changed). */
        MimeBodyPart part() throws MessagingException {
            Encoded e = encoded;
            if (e == null) {
                e = encode();
                encoded = e;
            }
            InternetHeaders headers = new InternetHeaders();
            for (var it = e.headers().getAllHeaderLines(); it.hasMoreElements();) {
                headers.addHeaderLine(it.nextElement());
            }
            return new SharedBodyPart(headers, e.body());
        }

        private Encoded encode() throws MessagingException {
            String name;
            try {
                name = MimeUtility.encodeText(filename, "UTF-8", null);
            } catch (UnsupportedEncodingException ex) {
                name = filename;
            }
            ContentType type = new ContentType(contentType);
            type.setParameter("name", name);
            ContentDisposition disposition = new ContentDisposition(Part.ATTACHMENT);
            disposition.setParameter("filename", name);
            InternetHeaders headers = new InternetHeaders();
            headers.setHeader("Content-Type", type.toString());
            headers.setHeader("Content-Disposition", disposition.toString());
            // base64 keeps every byte: a text attachment sent as 7bit/quoted-printable would get CRLF line ends.
            headers.setHeader("Content-Transfer-Encoding", "base64");
            byte[] body = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encode(content);
            byte[] withEnd = Arrays.copyOf(body, body.length + 2);
            withEnd[body.length] = '\r';
            withEnd[body.length + 1] = '\n';
            return new Encoded(headers, withEnd);
        }
    }

    /** An attachment's part: to a {@link SharedBodySink} its body goes by reference, to any other stream as Jakarta Mail writes it. */
    private static final class SharedBodyPart extends MimeBodyPart {

        private static final byte[] CRLF = {'\r', '\n'};

        SharedBodyPart(InternetHeaders headers, byte[] body) throws MessagingException {
            super(headers, body);
        }

        @Override
        public void writeTo(OutputStream os) throws IOException, MessagingException {
            if (!(os instanceof SharedBodySink sink)) {
                super.writeTo(os);
                return;
            }
            // As MimeBodyPart writes a part: each header line, an empty line, then the (already encoded) content.
            for (Enumeration<String> lines = getAllHeaderLines(); lines.hasMoreElements();) {
                String line = lines.nextElement();
                byte[] bytes = new byte[line.length()];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) line.charAt(i); // LineOutputStream's conversion of a header line
                }
                os.write(bytes);
                os.write(CRLF);
            }
            os.write(CRLF);
            sink.shared(content);
        }
    }

    private MimeBodies() {
    }

    /** @param html null for a text-only message */
    public static void fill(MimeMessage message, String text, String html, List<Attachment> attachments) throws MessagingException {
        MimeMultipart alternative = null;
        if (html != null) {
            alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(TextParts.part(text, "plain"));
            alternative.addBodyPart(TextParts.part(html, "html"));
        }
        if (attachments.isEmpty()) {
            if (alternative == null) {
                message.setText(text, "UTF-8");
            } else {
                message.setContent(alternative);
            }
            return;
        }
        MimeBodyPart body;
        if (alternative == null) {
            body = TextParts.part(text, "plain");
        } else {
            body = new MimeBodyPart();
            body.setContent(alternative);
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        for (Attachment a : attachments) {
            mixed.addBodyPart(a.part());
        }
        message.setContent(mixed);
    }
}
