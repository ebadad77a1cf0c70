package org.crmbulk.worker.bounce;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.angus.mail.dsn.DeliveryStatus;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;

/**
 * Reads what a returned message says. RFC 3464 delivery-status reports (Angus's DSN parser) and RFC 5965 feedback
 * reports first; then the plain-text formats of MTAs that send none (qmail, Exim, Yahoo, Exchange, Domino, GroupWise
 * and others), each recognised by its own wording. What matches no format is UNCLASSIFIED: never guessed to be a bounce.
 * Classes follow RFC 3463: 4.x.x is SOFT; 5.x.x is HARD when it is about the address, SOFT when it is about this
 * message or its sender (5.7.x policy and reputation blocks, a full mailbox, a message too large), so a block of the
 * sending IP never suppresses the recipients it happened to.
 */
public final class ReportParser {

    /** UNSUBSCRIBE: a recipient's message to a {@code mailto:} unsubscribe address, told apart by InboundReports, not parsed. */
    public enum Kind { BOUNCE, DELAY, COMPLAINT, UNSUBSCRIBE, UNCLASSIFIED }

    public enum BounceClass { HARD, SOFT, DELAY, COMPLAINT }

    /** One recipient the report speaks of; {@code address} null when the report does not name it (a redacted complaint). */
    public record Finding(String address, BounceClass cls, String status, String diagnostic) {
    }

    /**
     * @param text            the report as text (headers, parts and returned headers), where its return path is looked for
     * @param originalMessageId the Message-ID of the message it is about, from the returned headers, or null
     */
    public record Report(Kind kind, String format, List<Finding> findings, String originalMessageId, String text) {
    }

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern STATUS = Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.])");
    private static final Pattern SMTP_CODE = Pattern.compile("(?m)(?:^|[\\s:(])([45][0-5]\\d)(?=[\\s\\-:])");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+");
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^>\\s]+>)");
    private static final Pattern ADDRESS_ABOUT = Pattern.compile(
            "user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't exist|not exist|invalid (recipient|mailbox|address)"
                    + "|mailbox (unavailable|not found|disabled)|account (is )?(disabled|deactivated|closed|inactive)|address rejected"
                    + "|recipient (address )?rejected|not listed in|no mailbox here|unrouteable|host not found|domain not found"
                    + "|no such domain|user not found|unknown recipient|name not found|doesn't have a .* account|undeliverable address",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern NOT_ABOUT_ADDRESS = Pattern.compile(
            "block|blacklist|blocklist|listed (at|on|in)|spam|reputation|policy|rejected for policy|dmarc|spf|dkim|rate limit|too many"
                    + "|quota|mailbox (is )?full|over quota|insufficient|too large|exceeds|size limit",
            Pattern.CASE_INSENSITIVE);

    /** A plain-text format: its name, the wording that marks it, and what starts and ends its list of failed recipients. */
    private record TextFormat(String name, Pattern marker) {
    }

    private static final List<TextFormat> TEXT_FORMATS = List.of(
            new TextFormat("qmail", Pattern.compile("This is the qmail-send program", Pattern.CASE_INSENSITIVE)),
            new TextFormat("exim", Pattern.compile("This message was created automatically by mail delivery software", Pattern.CASE_INSENSITIVE)),
            new TextFormat("yahoo", Pattern.compile("Sorry, we were unable to deliver your message to the following address", Pattern.CASE_INSENSITIVE)),
            new TextFormat("exchange", Pattern.compile("Delivery has failed to these recipients or groups|Your message did not reach some or all of the intended recipients", Pattern.CASE_INSENSITIVE)),
            new TextFormat("domino", Pattern.compile("Your message\\s.*\\swas not delivered to:", Pattern.CASE_INSENSITIVE | Pattern.DOTALL)),
            new TextFormat("groupwise", Pattern.compile("The message that you sent was undeliverable to the following", Pattern.CASE_INSENSITIVE)),
            new TextFormat("courier", Pattern.compile("This is a delivery status notification from", Pattern.CASE_INSENSITIVE)),
            new TextFormat("mdaemon", Pattern.compile("The attached message had PERMANENT fatal delivery errors", Pattern.CASE_INSENSITIVE)),
            new TextFormat("postfix-text", Pattern.compile("This is the mail system at host", Pattern.CASE_INSENSITIVE)),
            new TextFormat("sendmail-text", Pattern.compile("----- The following addresses had permanent fatal errors -----", Pattern.CASE_INSENSITIVE)),
            new TextFormat("hotmail", Pattern.compile("This is an automatically generated Delivery Status Notification", Pattern.CASE_INSENSITIVE)));

    private ReportParser() {
    }

    public static Report parse(byte[] raw) {
        String asText = new String(raw, StandardCharsets.ISO_8859_1);
        try {
            MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
            Collected c = new Collected();
            collect(message, c, 0);
            String text = asText + "\n" + c.text;
            if (c.feedback != null) {
                return complaint(c, text);
            }
            if (c.deliveryStatus != null) {
                return dsn(c, text);
            }
            return plain(c, text);
        } catch (MessagingException | IOException | RuntimeException e) {
            return new Report(Kind.UNCLASSIFIED, null, List.of(), null, asText);
        }
    }

    /** What the message's parts hold, gathered in one walk. */
    private static final class Collected {
        final StringBuilder text = new StringBuilder();
        final StringBuilder plain = new StringBuilder();
        DeliveryStatus deliveryStatus;
        InternetHeaders feedback;
        InternetHeaders returned;
    }

    private static void collect(Part part, Collected c, int depth) throws MessagingException, IOException {
        if (depth > 8) {
            return;
        }
        ContentType type = contentType(part);
        String base = type.getBaseType().toLowerCase(Locale.ROOT);
        if (base.startsWith("multipart/")) {
            Multipart multipart = new MimeMultipart(new jakarta.mail.util.ByteArrayDataSource(bytes(part), type.toString()));
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                collect(child, c, depth + 1);
            }
        } else if (base.equals("message/delivery-status") || base.equals("message/global-delivery-status")) {
            byte[] body = bytes(part);
            c.text.append(new String(body, StandardCharsets.UTF_8)).append('\n');
            if (c.deliveryStatus == null) {
                c.deliveryStatus = new DeliveryStatus(new ByteArrayInputStream(body));
            }
        } else if (base.equals("message/feedback-report")) {
            byte[] body = bytes(part);
            c.text.append(new String(body, StandardCharsets.UTF_8)).append('\n');
            c.feedback = new InternetHeaders(new ByteArrayInputStream(body));
        } else if (base.equals("message/rfc822") || base.equals("text/rfc822-headers") || base.equals("message/global")
                || base.equals("message/global-headers")) {
            byte[] body = bytes(part);
            String returned = new String(body, StandardCharsets.UTF_8);
            c.text.append(returned).append('\n');
            if (c.returned == null) {
                c.returned = new InternetHeaders(new ByteArrayInputStream(body));
            }
        } else if (base.startsWith("text/")) {
            String charset = type.getParameter("charset");
            String body = new String(bytes(part), charset(charset));
            c.text.append(body).append('\n');
            c.plain.append(body).append('\n');
        }
    }

    private static Report dsn(Collected c, String text) {
        List<Finding> findings = new ArrayList<>();
        boolean failed = false;
        for (int i = 0; i < c.deliveryStatus.getRecipientDSNCount(); i++) {
            InternetHeaders r = c.deliveryStatus.getRecipientDSN(i);
            String action = value(r, "Action").toLowerCase(Locale.ROOT);
            String status = statusOf(value(r, "Status"));
            String diagnostic = typed(value(r, "Diagnostic-Code"));
            String address = addressIn(typed(firstNonEmpty(value(r, "Final-Recipient"), value(r, "Original-Recipient"))));
            if (action.startsWith("delivered") || action.startsWith("relayed") || action.startsWith("expanded")) {
                continue;
            }
            BounceClass cls = action.startsWith("delayed") ? BounceClass.DELAY : classify(status, diagnostic);
            if (cls == null) {
                continue; // neither a status nor words that say what failed: not guessed
            }
            failed |= cls != BounceClass.DELAY;
            findings.add(new Finding(address, cls, status, shorten(diagnostic)));
        }
        if (findings.isEmpty()) {
            return new Report(Kind.UNCLASSIFIED, "rfc3464", List.of(), originalMessageId(c, text), text);
        }
        return new Report(failed ? Kind.BOUNCE : Kind.DELAY, "rfc3464", findings, originalMessageId(c, text), text);
    }

    private static Report complaint(Collected c, String text) {
        String type = value(c.feedback, "Feedback-Type").toLowerCase(Locale.ROOT);
        // Feedback loops often redact the recipient ("--- Recipient address removed ---"): then the return path names it.
        String address = addressIn(firstNonEmpty(value(c.feedback, "Original-Rcpt-To"), value(c.feedback, "Removal-Recipient")));
        if (address == null && c.returned != null) {
            address = addressIn(value(c.returned, "To"));
        }
        List<Finding> findings = List.of(new Finding(address, BounceClass.COMPLAINT, null,
                "feedback report: " + (type.isEmpty() ? "abuse" : type)));
        return new Report(Kind.COMPLAINT, "rfc5965", findings, originalMessageId(c, text), text);
    }

    private static Report plain(Collected c, String text) {
        String body = c.plain.toString();
        for (TextFormat format : TEXT_FORMATS) {
            Matcher marker = format.marker().matcher(body);
            if (!marker.find()) {
                continue;
            }
            String block = body.substring(marker.end());
            List<Finding> findings = findings(block);
            if (!findings.isEmpty()) {
                return new Report(Kind.BOUNCE, format.name(), findings, originalMessageId(c, text), text);
            }
        }
        return new Report(Kind.UNCLASSIFIED, null, List.of(), originalMessageId(c, text), text);
    }

    /** Each address in the failure text with the words after it (up to the next address): its status and diagnostic. */
    private static List<Finding> findings(String block) {
        // The returned message, where one is quoted after the failures, is not part of them.
        int quoted = indexOfAny(block, "------ This is a copy of the message", "--- Below this line is a copy of the message",
                "------ Original message", "Original message headers:", "----- Original message -----", "Received: from");
        if (quoted > 0) {
            block = block.substring(0, quoted);
        }
        Matcher m = ADDRESS.matcher(block);
        List<int[]> spans = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        while (m.find()) {
            String address = unquoted(m.group());
            if (address.startsWith("mailer-daemon@") || address.startsWith("postmaster@") || seen.containsKey(address)) {
                continue;
            }
            seen.put(address, spans.size());
            spans.add(new int[] {m.start(), m.end()});
        }
        List<Finding> findings = new ArrayList<>();
        List<String> addresses = new ArrayList<>(seen.keySet());
        for (int i = 0; i < spans.size(); i++) {
            int end = i + 1 < spans.size() ? spans.get(i + 1)[0] : block.length();
            String words = block.substring(spans.get(i)[1], end);
            String diagnostic = words.replaceAll("\\s+", " ").replaceAll("^[\\s:>.,]+", "").trim();
            String status = null;
            Matcher s = STATUS.matcher(words);
            if (s.find()) {
                status = s.group();
            }
            if (status == null && diagnostic.isEmpty() && i + 1 < spans.size()) {
                continue; // an address mentioned in passing (e.g. "from <x> to <y>")
            }
            BounceClass cls = classify(status, diagnostic);
            if (cls == null) {
                continue;
            }
            findings.add(new Finding(addresses.get(i), cls, status, shorten(diagnostic)));
        }
        return findings;
    }

    /**
     * The class of one failure, from its RFC 3463 status, else its SMTP code, else its words; null when nothing says it
     * failed.
     */
    static BounceClass classify(String status, String diagnostic) {
        String words = diagnostic == null ? "" : diagnostic;
        char kind;
        if (status != null && !status.isEmpty()) {
            kind = status.charAt(0);
        } else {
            Matcher code = SMTP_CODE.matcher(words);
            if (code.find()) {
                kind = code.group(1).charAt(0);
            } else if (ADDRESS_ABOUT.matcher(words).find()) {
                return BounceClass.HARD;
            } else if (NOT_ABOUT_ADDRESS.matcher(words).find()) {
                return BounceClass.SOFT;
            } else {
                return null;
            }
        }
        if (kind == '4') {
            return BounceClass.SOFT;
        }
        if (kind != '5') {
            return null;
        }
        if (status != null && (status.startsWith("5.7.") || status.equals("5.2.2") || status.startsWith("5.3.4") || status.equals("5.2.3"))) {
            return BounceClass.SOFT;
        }
        if (status != null && (status.startsWith("5.1.") || status.equals("5.2.1") || status.equals("5.4.4"))) {
            return BounceClass.HARD;
        }
        // Another permanent failure: about the address unless its words say it is about the sender or this message.
        return NOT_ABOUT_ADDRESS.matcher(words).find() && !ADDRESS_ABOUT.matcher(words).find() ? BounceClass.SOFT : BounceClass.HARD;
    }

    private static String originalMessageId(Collected c, String text) {
        if (c.returned != null) {
            String id = value(c.returned, "Message-ID");
            if (!id.isEmpty()) {
                return id.trim();
            }
        }
        // A plain-text report quotes the returned headers in its body; its own Message-ID is in its top headers.
        Matcher m = MESSAGE_ID.matcher(c.text);
        return m.find() ? m.group(1) : null;
    }

    /** The first address in a text, lower case, or null. */
    private static String addressIn(String text) {
        Matcher m = ADDRESS.matcher(text);
        return m.find() ? unquoted(m.group()) : null;
    }

    /** An address as matched, without the quotes a report put around it ({@code 'a@b.cz'}). */
    private static String unquoted(String address) {
        int start = 0;
        while (start < address.length() && (address.charAt(start) == '\'' || address.charAt(start) == '`')) {
            start++;
        }
        return address.substring(start).toLowerCase(Locale.ROOT);
    }

    private static String statusOf(String status) {
        Matcher m = STATUS.matcher(status);
        return m.find() ? m.group() : null;
    }

    /** A DSN field's value without its type: {@code rfc822; a@b.cz} → {@code a@b.cz}, {@code smtp; 550 ...} → {@code 550 ...}. */
    private static String typed(String value) {
        int semi = value.indexOf(';');
        return (semi >= 0 ? value.substring(semi + 1) : value).replaceAll("\\s+", " ").trim();
    }

    private static String value(InternetHeaders headers, String name) {
        String[] values = headers.getHeader(name);
        if (values == null || values.length == 0 || values[0] == null) {
            return "";
        }
        try {
            return MimeUtility.unfold(MimeUtility.decodeText(values[0])).trim();
        } catch (java.io.UnsupportedEncodingException e) {
            return MimeUtility.unfold(values[0]).trim();
        }
    }

    private static String firstNonEmpty(String a, String b) {
        return a.isEmpty() ? b : a;
    }

    private static int indexOfAny(String text, String... markers) {
        int best = -1;
        for (String marker : markers) {
            int i = text.indexOf(marker);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    private static String shorten(String diagnostic) {
        if (diagnostic == null) {
            return null;
        }
        return diagnostic.length() <= 500 ? diagnostic : diagnostic.substring(0, 500) + "…";
    }

    private static ContentType contentType(Part part) throws MessagingException {
        try {
            String header = part.getContentType();
            return new ContentType(header == null ? "text/plain" : header);
        } catch (jakarta.mail.internet.ParseException e) {
            return new ContentType("text/plain");
        }
    }

    /** A part's body with its transfer encoding undone. */
    private static byte[] bytes(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.readAllBytes();
        }
    }

    private static java.nio.charset.Charset charset(String name) {
        try {
            return name == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(MimeUtility.javaCharset(name));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
