package org.crmbulk.worker.smtp;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.worker.config.DeliveryConfig;

import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.vertx.ext.mail.SMTPException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@link MailTransport} over quarkus-mailer's pooled Vert.x SMTP client; chosen at build time with
 * {@code mail.delivery.transport=quarkus-mailer} (the default is {@link AngusMailTransport}).
 */
@ApplicationScoped
@io.quarkus.arc.properties.IfBuildProperty(name = "mail.delivery.transport", stringValue = "quarkus-mailer")
public class QuarkusMailerTransport implements MailTransport {

    @Inject
    ReactiveMailer mailer;

    @Inject
    DeliveryConfig config;

    @Override
    public CompletionStage<SendResult> send(MailMessage mail) {
        Mail message = new Mail().setTo(mail.to().stream().map(MailMessage.Mailbox::email).toList())
                .setSubject(mail.subject()).setText(mail.text()).setFrom(mail.from().email())
                .addHeader("Message-ID", mail.messageId());
        if (!mail.cc().isEmpty()) {
            message.setCc(mail.cc().stream().map(MailMessage.Mailbox::email).toList());
        }
        if (mail.html() != null) {
            message.setHtml(mail.html());
        }
        if (mail.replyTo() != null) {
            message.setReplyTo(mail.replyTo());
        }
        for (MimeBodies.Attachment a : mail.attachments()) {
            message.addAttachment(a.filename(), a.content(), a.contentType());
        }
        return mailer.send(message)
                .ifNoItem().after(config.sendTimeout()).failWith(TimeoutException::new)
                .map(ignored -> SendResult.accepted("250 accepted"))
                .onFailure().recoverWithItem(QuarkusMailerTransport::classify)
                .subscribeAsCompletionStage();
    }

    static SendResult classify(Throwable failure) {
        if (failure instanceof SMTPException smtp) {
            String text = String.join(" ", smtp.getReplyMessages()).trim();
            String code = String.valueOf(smtp.getReplyCode());
            String reply = text.startsWith(code) ? text : code + " " + text;
            return smtp.isPermanent() ? SendResult.permanent(reply) : SendResult.temporary(reply);
        }
        if (failure instanceof TimeoutException) {
            return SendResult.temporary("timeout: the relay did not answer in time");
        }
        // Refused or dropped connections and I/O errors say nothing about the message itself.
        return SendResult.temporary("connection: " + failure.getClass().getSimpleName()
                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    }
}
