package org.crmbulk.worker.smtp;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

import org.crmbulk.contract.mime.MailMessage;

/** The worker's port to SMTP: a send never throws, it completes with the relay's classified answer. */
public interface MailTransport {

    /**
     * Sends, unless no SMTP transaction could begin by {@code notAfter} (the end of the rate window the message's
     * permit came from): then it completes NOT_ATTEMPTED, and the relay never sees a message outside its window.
     * {@code envelopeFrom}: the MAIL FROM address (the VERP return path); null: the From address.
     */
    CompletionStage<SendResult> send(MailMessage mail, String envelopeFrom, Instant notAfter);

    default CompletionStage<SendResult> send(MailMessage mail, Instant notAfter) {
        return send(mail, null, notAfter);
    }

    default CompletionStage<SendResult> send(MailMessage mail) {
        return send(mail, null, Instant.MAX);
    }
}
