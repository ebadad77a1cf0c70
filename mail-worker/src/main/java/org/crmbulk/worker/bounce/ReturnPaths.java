package org.crmbulk.worker.bounce;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.crmbulk.contract.consent.UnsubscribeMailto;
import org.crmbulk.contract.consent.UnsubscribeTokens;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;

/**
 * VERP (variable envelope return path): each message's envelope sender names its delivery, {@code bounces+<token>@<bounce
 * domain>}, so a bounce sent back to it says which delivery bounced whatever the bounce looks like. The token is signed
 * ({@link UnsubscribeTokens#signReturnPath}): a forged bounce cannot name a delivery. The same domain receives the
 * {@code mailto:} unsubscribe requests of campaign messages (RFC 2369), {@code bounces+unsubscribe-<token>@<bounce domain>}.
 */
@ApplicationScoped
public class ReturnPaths {

    /** Where a message names whom it was sent to: its To and Cc, and the envelope recipient as MTAs record it. */
    private static final List<String> ADDRESSEE_HEADERS = List.of("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To");

    private final UnsubscribeTokens tokens;
    private final String domain;
    private final String localPart;
    private final Pattern address;
    private final UnsubscribeMailto mailto;

    public ReturnPaths(BounceConfig config, UnsubscribeTokens tokens) {
        this.tokens = tokens;
        this.domain = config.domain().map(String::trim).filter(d -> !d.isEmpty()).orElse(null);
        this.localPart = config.localPart();
        this.address = Pattern.compile(Pattern.quote(localPart) + "\\+([0-9a-fA-F]{36})@", Pattern.CASE_INSENSITIVE);
        this.mailto = new UnsubscribeMailto(localPart, domain, tokens);
    }

    /** The envelope sender of a message carrying this delivery (a BULK message: its first), or null without a bounce domain. */
    public String of(long deliveryId) {
        return domain == null ? null : localPart + "+" + tokens.signReturnPath(deliveryId) + "@" + domain;
    }

    /** The {@code mailto:} unsubscribe addresses of campaign messages, on the same domain. */
    @Produces
    @Singleton
    UnsubscribeMailto unsubscribeMailto() {
        return mailto;
    }

    /**
     * The delivery whose recipient asks to leave by a message to its {@code mailto:} unsubscribe address: read from the
     * message's own addressee headers only, never from a message it quotes (a bounce returns our List-Unsubscribe header).
     */
    public OptionalLong unsubscribeRequestIn(byte[] raw) {
        InternetHeaders headers;
        try {
            headers = new InternetHeaders(new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            return OptionalLong.empty();
        }
        for (String name : ADDRESSEE_HEADERS) {
            String[] values = headers.getHeader(name);
            for (String value : values == null ? new String[0] : values) {
                OptionalLong id = mailto.deliveryIn(value);
                if (id.isPresent()) {
                    return id;
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The delivery named by the first correctly signed return path in this text (a report's headers, its returned message). */
    public OptionalLong deliveryIn(String text) {
        Matcher m = address.matcher(text);
        while (m.find()) {
            OptionalLong id = tokens.verifyReturnPath(m.group(1).toLowerCase(Locale.ROOT));
            if (id.isPresent()) {
                return id;
            }
        }
        return OptionalLong.empty();
    }
}
