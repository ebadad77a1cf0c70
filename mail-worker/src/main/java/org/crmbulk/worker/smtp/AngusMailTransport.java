package org.crmbulk.worker.smtp;

import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.worker.config.DeliveryConfig;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * {@link MailTransport} over Jakarta Mail (Angus): a fixed set of sender threads, each holding one
 * SMTP connection open and writing whole messages through a buffered stream. The Vert.x client of
 * quarkus-mailer wrote every line of a message with its own socket write on one event loop, which
 * capped a campaign at about 2% of the machine's SMTP ceiling (see README, Benchmarks), and composed
 * its own MIME; it is gone. The relay's settings are {@link RelayConfig}.
 */
@ApplicationScoped
public class AngusMailTransport implements MailTransport {

    private static final long IDLE_RECONNECT_MILLIS = 10_000;

    @Inject
    DeliveryConfig config;

    @Inject
    RelayConfig relay;

    private Session session;
    private ExecutorService senders;

    /** The connection a sender thread keeps, and when it last worked. */
    private static final class Connection {
        SMTPTransport transport;
        long lastUsed;
    }

    private final ThreadLocal<Connection> connection = ThreadLocal.withInitial(Connection::new);

    @PostConstruct
    void init() {
        Properties p = new Properties();
        p.put("mail.smtp.host", relay.host());
        p.put("mail.smtp.port", String.valueOf(relay.port()));
        String timeout = String.valueOf(config.sendTimeout().toMillis());
        p.put("mail.smtp.connectiontimeout", timeout);
        p.put("mail.smtp.timeout", timeout);
        p.put("mail.smtp.writetimeout", timeout);
        p.put("mail.smtp.starttls.enable", String.valueOf(relay.startTls() != RelayConfig.StartTls.DISABLED));
        p.put("mail.smtp.starttls.required", String.valueOf(relay.startTls() == RelayConfig.StartTls.REQUIRED));
        p.put("mail.smtp.auth", String.valueOf(relay.username().filter(u -> !u.isBlank()).isPresent()));
        // Angus layers TLS over the plain no-delay socket below, for SMTPS and for STARTTLS alike.
        p.put("mail.smtp.ssl.enable", String.valueOf(relay.tls()));
        p.put("mail.smtp.ssl.checkserveridentity", String.valueOf(!relay.trustAll()));
        if (relay.trustAll()) {
            p.put("mail.smtp.ssl.trust", "*");
        }
        // Without TCP_NODELAY every message ends in a Nagle/delayed-ACK stall of ~40 ms.
        p.put("mail.smtp.socketFactory", new NoDelaySocketFactory());
        p.put("mail.smtp.socketFactory.fallback", "false");
        session = Session.getInstance(p);
        senders = Executors.newFixedThreadPool(relay.connections(), r -> {
            Thread t = new Thread(r, "smtp-sender");
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        senders.shutdown();
    }

    @Override
    public CompletionStage<SendResult> send(MailMessage mail) {
        return CompletableFuture.supplyAsync(() -> sendNow(mail), senders);
    }

    private SendResult sendNow(MailMessage mail) {
        Connection c = connection.get();
        try {
            MimeMessage message = mail.toMimeMessage(session);
            SMTPTransport t = connected(c);
            t.sendMessage(message, message.getAllRecipients());
            c.lastUsed = System.currentTimeMillis();
            return SendResult.accepted(reply(t.getLastServerResponse(), "250 accepted"));
        } catch (SMTPAddressFailedException e) {
            // A refused recipient leaves the session usable; anything else may not.
            if (e.getReturnCode() < 500) {
                close(c);
            }
            return classify(e.getReturnCode(), e.getMessage());
        } catch (SMTPSendFailedException e) {
            close(c);
            return classify(e.getReturnCode(), e.getMessage());
        } catch (MessagingException e) {
            close(c);
            SMTPAddressFailedException nested = nested(e);
            if (nested != null) {
                return classify(nested.getReturnCode(), nested.getMessage());
            }
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof java.net.SocketTimeoutException) {
                return SendResult.temporary("timeout: the relay did not answer in time");
            }
            return SendResult.temporary("connection: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage().trim()));
        } catch (RuntimeException e) {
            close(c);
            return SendResult.temporary("connection: " + e);
        }
    }

    private SMTPTransport connected(Connection c) throws MessagingException {
        if (c.transport != null && System.currentTimeMillis() - c.lastUsed > IDLE_RECONNECT_MILLIS) {
            close(c); // relays close idle sessions; a fresh one beats a failed attempt
        }
        if (c.transport == null) {
            SMTPTransport t = (SMTPTransport) session.getTransport("smtp");
            t.connect(relay.host(), relay.port(), relay.username().filter(u -> !u.isBlank()).orElse(null),
                    relay.password().filter(pw -> !pw.isBlank()).orElse(null));
            c.transport = t;
            c.lastUsed = System.currentTimeMillis();
        }
        return c.transport;
    }

    private static void close(Connection c) {
        if (c.transport != null) {
            try {
                c.transport.close();
            } catch (MessagingException e) {
                // already gone
            }
            c.transport = null;
        }
    }

    private static SMTPAddressFailedException nested(MessagingException e) {
        Exception next = e.getNextException();
        while (next != null) {
            if (next instanceof SMTPAddressFailedException a) {
                return a;
            }
            next = next instanceof MessagingException m ? m.getNextException() : null;
        }
        return null;
    }

    private static SendResult classify(int code, String message) {
        String reply = reply(message, String.valueOf(code));
        if (!reply.startsWith(String.valueOf(code))) {
            reply = code + " " + reply;
        }
        return code >= 500 ? SendResult.permanent(reply) : SendResult.temporary(reply);
    }

    private static String reply(String text, String fallback) {
        return text == null || text.isBlank() ? fallback : text.trim();
    }

    /** Sockets with Nagle's algorithm off: SMTP is a dialogue of small writes. */
    static final class NoDelaySocketFactory extends javax.net.SocketFactory {
        private static final javax.net.SocketFactory PLAIN = javax.net.SocketFactory.getDefault();

        private static java.net.Socket noDelay(java.net.Socket socket) throws java.io.IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket() throws java.io.IOException {
            return noDelay(PLAIN.createSocket());
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws java.io.IOException {
            return noDelay(PLAIN.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws java.io.IOException {
            return noDelay(PLAIN.createSocket(host, port, local, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws java.io.IOException {
            return noDelay(PLAIN.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort)
                throws java.io.IOException {
            return noDelay(PLAIN.createSocket(host, port, local, localPort));
        }
    }
}
