package org.crmbulk.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import jakarta.mail.Flags;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** GreenMail's IMAP server holding one bounce mailbox, apart from the SMTP catcher so that neither sees the other's mail. */
public final class TestImap implements AutoCloseable {

    public static final String USER = "bounces";
    public static final String PASSWORD = "bounce-mailbox-password";

    private final GreenMail greenMail;
    private final GreenMailUser user;

    private TestImap(GreenMail greenMail, GreenMailUser user) {
        this.greenMail = greenMail;
        this.user = user;
    }

    public static TestImap start() {
        return start(PASSWORD);
    }

    public static TestImap start(String password) {
        GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("bounces@bounces.shop.example.cz", USER, password));
        greenMail.start();
        return new TestImap(greenMail, greenMail.getUserManager().getUser(USER));
    }

    public int port() {
        return greenMail.getImap().getPort();
    }

    /** A report arriving in the mailbox's INBOX, as the bounce domain's MX would put it there. */
    public void deliver(byte[] raw) {
        try {
            user.deliver(new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The messages in a folder (not those flagged deleted), with their flags; empty when the folder does not exist. */
    public List<Stored> folder(String name) {
        MailFolder folder = greenMail.getManagers().getImapHostManager().getFolder(user, name);
        List<Stored> out = new ArrayList<>();
        if (folder == null) {
            return out;
        }
        // getMessages().toArray() holds the lock GreenMail's MOVE takes; getNonDeletedMessages() holds another one (CME in CI)
        for (StoredMessage m : List.copyOf(folder.getMessages())) {
            if (m.isSet(Flags.Flag.DELETED)) {
                continue;
            }
            try (ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
                m.getMimeMessage().writeTo(bytes);
                out.add(new Stored(bytes.toByteArray(), List.of(m.getFlags().getUserFlags())));
            } catch (IOException | MessagingException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    public record Stored(byte[] raw, List<String> keywords) {
    }

    public void purge() {
        try {
            for (MailFolder f : greenMail.getManagers().getImapHostManager().listMailboxes(user, "*")) {
                f.deleteAllMessages();
            }
        } catch (FolderException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
