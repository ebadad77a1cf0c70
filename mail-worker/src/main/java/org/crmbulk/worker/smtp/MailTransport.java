package org.crmbulk.worker.smtp;

import java.util.concurrent.CompletionStage;

import org.crmbulk.contract.mime.MailMessage;

/** The worker's port to SMTP: a send never throws, it completes with the relay's classified answer. */
public interface MailTransport {

    CompletionStage<SendResult> send(MailMessage mail);
}
