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

    private final WorkRef work;
    private final String domain;

    public MessageIds(WorkRef work, Optional<String> configuredDomain, String sender) {
        this.work = work;
        this.domain = configuredDomain.filter(d -> !d.isBlank()).orElseGet(() -> domainOf(sender));
    }

    public String forDelivery(long deliveryId) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        return "<" + deliveryId + "." + letter() + work.id() + "." + HexFormat.of().formatHex(random) + "@" + domain + ">";
    }

    public String domain() {
        return domain;
    }

    private char letter() {
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
