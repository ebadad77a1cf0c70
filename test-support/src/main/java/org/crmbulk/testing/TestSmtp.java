package org.crmbulk.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/** GreenMail as a real SMTP server on a free loopback port; it keeps every message it accepts. */
public final class TestSmtp implements AutoCloseable {

    private final GreenMail greenMail;

    private TestSmtp(GreenMail greenMail) {
        this.greenMail = greenMail;
    }

    public static TestSmtp start() {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withDisabledAuthentication());
        greenMail.start();
        return new TestSmtp(greenMail);
    }

    /** SMTP over implicit TLS (GreenMail's self-signed certificate) with one account that AUTH accepts. */
    public static TestSmtp startTls(String user, String password) {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser(user, password));
        greenMail.start();
        return new TestSmtp(greenMail);
    }

    public int port() {
        return greenMail.getSmtp() != null ? greenMail.getSmtp().getPort() : greenMail.getSmtps().getPort();
    }

    public List<MimeMessage> received() {
        return List.of(greenMail.getReceivedMessages());
    }

    /** Raw RFC 5322 bytes of every message received, oldest first. */
    public Supplier<List<byte[]>> rawMessages() {
        return () -> {
            List<byte[]> raw = new ArrayList<>();
            for (MimeMessage m : greenMail.getReceivedMessages()) {
                try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
                    m.writeTo(out);
                    raw.add(out.toByteArray());
                } catch (IOException | MessagingException e) {
                    throw new IllegalStateException(e);
                }
            }
            return raw;
        };
    }

    public void purge() {
        try {
            greenMail.purgeEmailFromAllMailboxes();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
