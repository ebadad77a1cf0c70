package org.crmbulk.worker.delivery;

import java.time.Instant;
import java.util.Map;

import org.crmbulk.contract.mime.MailMessage;

/**
 * A delivery this worker has claimed and must send. {@code reclaimed} is true when an earlier claim ran
 * out without an outcome: the message may already have reached the relay. {@code contact} holds the
 * merge fields; null when the contact was deleted after the delivery was made. {@code stopReason}: why it must not
 * be sent after all (its address was suppressed since the launch began, or erased), or null.
 */
public record ClaimedDelivery(long id, String email, String displayName, boolean cc, String messageId, int attempts,
        boolean reclaimed, Map<String, Object> contact, Instant firstAttemptAt, String stopReason) {

    public ClaimedDelivery(long id, String email, String displayName, boolean cc, String messageId, int attempts, boolean reclaimed,
            Map<String, Object> contact, Instant firstAttemptAt) {
        this(id, email, displayName, cc, messageId, attempts, reclaimed, contact, firstAttemptAt, null);
    }

    public MailMessage.Mailbox mailbox() {
        return new MailMessage.Mailbox(email, displayName);
    }
}
