package org.crmbulk.worker.smtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The relay's answer to one message, sorted by what the worker must do next: for the message as a whole, and
 * for each recipient (the relay may take a message for some recipients and refuse others at RCPT).
 *
 * @param afterDot the message's final dot was written and no final reply came: the relay may have it
 */
public record SendResult(Kind kind, String reply, boolean afterDot, Map<String, SendResult> recipients) {

    public enum Kind {
        /** The relay took responsibility for the message (2xx after DATA). */
        ACCEPTED,
        /** 4xx, timeout, dropped or refused connection: try again later. */
        TEMPORARY,
        /** 5xx: the relay will never take it; retrying only repeats the refusal. */
        PERMANENT,
        /** No transaction was possible: the relay's session limit held it back. Back-pressure, not an attempt. */
        NOT_ATTEMPTED
    }

    public static SendResult accepted(String reply) {
        return new SendResult(Kind.ACCEPTED, reply, false, Map.of());
    }

    public static SendResult temporary(String reply) {
        return new SendResult(Kind.TEMPORARY, reply, false, Map.of());
    }

    public static SendResult permanent(String reply) {
        return new SendResult(Kind.PERMANENT, reply, false, Map.of());
    }

    public static SendResult notAttempted(String reason) {
        return new SendResult(Kind.NOT_ATTEMPTED, reason, false, Map.of());
    }

    /** No final reply after the dot: temporary, and a resend may be a second copy. */
    public static SendResult afterDot(String reply) {
        return new SendResult(Kind.TEMPORARY, reply, true, Map.of());
    }

    /**
     * One answer for a message from its recipients' answers: accepted when the relay took it for anyone; else the
     * refusal worth most (temporary before permanent, any attempt before none).
     */
    public static SendResult of(Map<String, SendResult> byRecipient) {
        SendResult summary = null;
        for (SendResult r : byRecipient.values()) {
            if (summary == null || rank(r) < rank(summary)) {
                summary = r;
            }
        }
        if (summary == null) {
            return notAttempted("no recipients");
        }
        return new SendResult(summary.kind(), summary.reply(), byRecipient.values().stream().anyMatch(SendResult::afterDot),
                Map.copyOf(byRecipient));
    }

    private static int rank(SendResult r) {
        return switch (r.kind()) {
            case ACCEPTED -> 0;
            case TEMPORARY -> 1;
            case PERMANENT -> 2;
            case NOT_ATTEMPTED -> 3;
        };
    }

    /** This recipient's answer: its own when the relay answered it apart, else the message's. */
    public SendResult forRecipient(String email) {
        SendResult own = recipients.get(key(email));
        return own != null ? own : recipients.isEmpty() ? this : new SendResult(kind, reply, afterDot, Map.of());
    }

    static String key(String email) {
        return email.toLowerCase(Locale.ROOT);
    }

    static Map<String, SendResult> all(Iterable<String> emails, SendResult result) {
        Map<String, SendResult> map = new LinkedHashMap<>();
        emails.forEach(e -> map.put(key(e), result));
        return map;
    }
}
