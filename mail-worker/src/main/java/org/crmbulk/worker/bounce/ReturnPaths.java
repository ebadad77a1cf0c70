package org.crmbulk.worker.bounce;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.crmbulk.contract.consent.UnsubscribeTokens;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * VERP (variable envelope return path): each message's envelope sender names its delivery, {@code bounces+<token>@<bounce
 * domain>}, so a bounce sent back to it says which delivery bounced whatever the bounce looks like. The token is signed
 * ({@link UnsubscribeTokens#signReturnPath}): a forged bounce cannot name a delivery.
 */
@ApplicationScoped
public class ReturnPaths {

    private final UnsubscribeTokens tokens;
    private final String domain;
    private final String localPart;
    private final Pattern address;

    public ReturnPaths(BounceConfig config, UnsubscribeTokens tokens) {
        this.tokens = tokens;
        this.domain = config.domain().map(String::trim).filter(d -> !d.isEmpty()).orElse(null);
        this.localPart = config.localPart();
        this.address = Pattern.compile(Pattern.quote(localPart) + "\\+([0-9a-fA-F]{36})@", Pattern.CASE_INSENSITIVE);
    }

    /** The envelope sender of a message carrying this delivery (a BULK message: its first), or null without a bounce domain. */
    public String of(long deliveryId) {
        return domain == null ? null : localPart + "+" + tokens.signReturnPath(deliveryId) + "@" + domain;
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
