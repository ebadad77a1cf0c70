package org.crmbulk.testing;

import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** What the test SMTP server received, as parsed MIME messages. */
public final class Mailbox {

    private static volatile Supplier<List<byte[]>> received;
    private static volatile Runnable purge;

    private Mailbox() {
    }

    static void attach(TestSmtp smtp) {
        received = smtp.rawMessages();
        purge = smtp::purge;
    }

    public static List<MimeMessage> messages() {
        if (received == null) {
            throw new IllegalStateException("no test SMTP server runs: register CrmStackResource");
        }
        Session session = Session.getInstance(new Properties());
        return received.get().stream().map(bytes -> parse(session, bytes)).toList();
    }

    public static void purge() {
        if (purge == null) {
            throw new IllegalStateException("no test SMTP server runs: register CrmStackResource");
        }
        purge.run();
    }

    private static MimeMessage parse(Session session, byte[] bytes) {
        try {
            return new MimeMessage(session, new ByteArrayInputStream(bytes));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
