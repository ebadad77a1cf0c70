package org.crmbulk.worker.smtp;

/** One fully rendered message to one recipient; {@code messageId} is fixed per delivery so a resend reuses it. */
public record OutgoingMail(String from, String to, String subject, String text, String messageId) {
}
