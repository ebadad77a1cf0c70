package org.crmbulk.worker.delivery;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import org.crmbulk.worker.work.WorkRef;

/**
 * The one Message-ID rule, for every kind of work: {@code <delivery.kind-letter+work.random@domain>},
 * given to a delivery at its first claim and kept for every resend, so the relay and the recipient see a
 * resend as the same message. The domain is {@code mail.delivery.message-id-domain}, else the sender's.
 */
public final class MessageIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String FALLBACK_DOMAIN = "crm-bulk.local";

    private final String token;
    private final String domain;

    public MessageIds(WorkRef work, Optional<String> configuredDomain, String sender) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        this.token = String.valueOf(letter(work)) + work.id() + "." + HexFormat.of().formatHex(random);
        this.domain = configuredDomain.filter(d -> !d.isBlank()).orElseGet(() -> domainOf(sender));
    }

    /** A delivery's Message-ID; unique by the delivery's ID, the random part makes it unguessable across installations. */
    public String forDelivery(long deliveryId) {
        return "<" + deliveryId + "." + token + "@" + domain + ">";
    }

    /** What follows the delivery's ID and its dot up to the at sign, for a store that makes IDs in SQL. */
    public String token() {
        return token;
    }

    public String domain() {
        return domain;
    }

    private static char letter(WorkRef work) {
        return switch (work.kind()) {
            case LAUNCH -> 'l';
            case ACTIVITY_MAIL -> 'a';
            case TEST_SEND -> 't';
        };
    }

    static String domainOf(String sender) {
        int at = sender == null ? -1 : sender.lastIndexOf('@');
        String domain = at < 0 ? "" : sender.substring(at + 1).replace(">", "").trim().toLowerCase(Locale.ROOT);
        return domain.isEmpty() ? FALLBACK_DOMAIN : domain;
    }
}
