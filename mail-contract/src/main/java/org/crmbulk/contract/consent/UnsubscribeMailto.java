package org.crmbulk.contract.consent;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code mailto:} unsubscribe address of a campaign message's delivery (RFC 2369), on the bounce domain:
 * {@code <local part>+unsubscribe-<token>@<bounce domain>}, the token signed ({@link UnsubscribeTokens#signMailUnsubscribe}).
 * Mail to it reaches the bounce mailbox, where it is read as the recipient's request to leave.
 */
public final class UnsubscribeMailto {

    private static final String TAG = "unsubscribe-";

    private final String localPart;
    private final String domain;
    private final UnsubscribeTokens tokens;
    private final Pattern address;

    /** @param domain the bounce domain; null: messages carry no {@code mailto:} entry and none is read */
    public UnsubscribeMailto(String localPart, String domain, UnsubscribeTokens tokens) {
        this.localPart = localPart;
        this.domain = domain == null || domain.isBlank() ? null : domain.trim();
        this.tokens = tokens;
        this.address = this.domain == null ? null : Pattern.compile(Pattern.quote(localPart) + "\\+" + TAG + "([0-9a-fA-F]{"
                + UnsubscribeTokens.HEX_TOKEN_CHARS + "})@" + Pattern.quote(this.domain) + "(?![A-Za-z0-9.-])", Pattern.CASE_INSENSITIVE);
    }

    /** The address for this delivery, or null without a bounce domain. */
    public String address(long deliveryId) {
        return domain == null ? null : localPart + "+" + TAG + tokens.signMailUnsubscribe(deliveryId) + "@" + domain;
    }

    /** The delivery named by the first correctly signed unsubscribe address in this text (an addressee header's value). */
    public OptionalLong deliveryIn(String text) {
        if (address == null || text == null) {
            return OptionalLong.empty();
        }
        Matcher m = address.matcher(text);
        while (m.find()) {
            OptionalLong id = tokens.verifyMailUnsubscribe(m.group(1));
            if (id.isPresent()) {
                return id;
            }
        }
        return OptionalLong.empty();
    }
}
