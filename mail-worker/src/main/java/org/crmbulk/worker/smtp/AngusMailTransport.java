package org.crmbulk.worker.smtp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.worker.config.DeliveryConfig;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;

/**
 * {@link MailTransport} over Jakarta Mail (Angus), speaking SMTP as real relays expect: sender threads share a
 * pool of sessions sized to what the relay allows; a message goes to the recipients the relay accepts even when
 * it refuses others at RCPT (each refused one gets its own answer); a relay's recipient limit (452 4.5.3) is
 * learned and the rest go in further transactions; the final reply after the dot is waited for as RFC 5321
 * allows; a message larger than the relay's SIZE is not sent. The Vert.x client of quarkus-mailer wrote every
 * line with its own socket write on one event loop and capped a campaign at about 2% of the machine's SMTP
 * ceiling (see README, Benchmarks).
 */
@ApplicationScoped
public class AngusMailTransport implements MailTransport {

    private static final Logger LOG = Logger.getLogger(AngusMailTransport.class);
    private static final long IDLE_RECONNECT_MILLIS = 10_000;

    private final DeliveryConfig config;
    private final RelayConfig relay;
    private final DkimSigning dkim;
    private final Session session;
    private final ExecutorService senders;
    private final SessionPool pool;
    private final WireForm wireForm = new WireForm();
    private volatile boolean stopping;
    /** Recipients per transaction this relay takes, once it has said (452 4.5.3); unlimited until then. */
    private final AtomicInteger recipientLimit = new AtomicInteger(Integer.MAX_VALUE);

    public AngusMailTransport(DeliveryConfig config, RelayConfig relay, DkimSigning dkim) {
        this.config = config;
        this.relay = relay;
        this.dkim = dkim;
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
        // The message goes on to the recipients the relay accepted when it refuses some at RCPT (RFC 5321 3.3).
        p.put("mail.smtp.sendpartial", "true");
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
        pool = new SessionPool(relay.connections(), relay.sessionRegrowth().toMillis(), IDLE_RECONNECT_MILLIS);
        senders = Executors.newFixedThreadPool(relay.connections(), r -> {
            Thread t = new Thread(r, "smtp-sender");
            t.setDaemon(true);
            return t;
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        close();
    }

    /** Stops sending: no new sessions, the idle ones closed. */
    public void close() {
        stopping = true;
        senders.shutdown();
        pool.closeAll();
    }

    @Override
    public CompletionStage<SendResult> send(MailMessage mail, String envelopeFrom, Instant notAfter) {
        return CompletableFuture.supplyAsync(() -> sendNow(mail, envelopeFrom, notAfter), senders);
    }

    private SendResult sendNow(MailMessage mail, String envelopeFrom, Instant notAfter) {
        RawMessage message;
        try {
            List<ComposedMessage.Segment> composed = ComposedMessage.of(mail, session);
            message = new RawMessage(session, dkim.signature(composed, mail.from().email()), composed, wireForm,
                    envelopeFrom == null ? mail.from().email() : envelopeFrom);
        } catch (MessagingException | IOException e) {
            return SendResult.permanent("compose: " + e.getMessage());
        }
        List<String> pending = new ArrayList<>(mail.recipients().stream().map(MailMessage.Mailbox::email).toList());
        Map<String, SendResult> answers = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            int limit = recipientLimit.get();
            List<String> chunk = new ArrayList<>(pending.subList(0, Math.min(limit, pending.size())));
            pending.subList(0, chunk.size()).clear();
            Transaction t = transaction(message, chunk, notAfter);
            answers.putAll(t.answers());
            if (!t.overLimit().isEmpty()) {
                // The relay takes this many recipients per transaction: keep that, and send the rest in more transactions.
                if (recipientLimit.getAndUpdate(l -> Math.min(l, t.accepted())) > t.accepted()) {
                    LOG.infof("the relay %s takes %d recipients per message; larger messages are split", relay.label(), t.accepted());
                }
                pending.addAll(0, t.overLimit());
            }
        }
        return SendResult.of(answers);
    }

    /** One SMTP transaction's answers per recipient, and the recipients refused only for exceeding the relay's limit. */
    private record Transaction(Map<String, SendResult> answers, List<String> overLimit, int accepted) {
    }

    private Transaction transaction(RawMessage message, List<String> recipients, Instant notAfter) {
        long deadline = System.currentTimeMillis() + config.sendTimeout().toMillis();
        RelaySession s;
        try {
            s = pool.borrow(this::open, deadline, () -> stopping);
        } catch (SessionPool.Refused e) {
            return done(recipients, SendResult.temporary("connection: " + e.getMessage()));
        } catch (MessagingException e) {
            return done(recipients, connectionFailure(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return done(recipients, SendResult.notAttempted("interrupted while waiting for a session"));
        }
        if (s == null) {
            return done(recipients, SendResult.notAttempted("no session to the relay within " + config.sendTimeout()
                    + " (it allows " + pool.allowed() + ")"));
        }
        if (Instant.now().isAfter(notAfter)) {
            // Waiting for a session outlasted the message's rate window: the next window takes it.
            pool.giveBack(s, s.isConnected());
            return done(recipients, SendResult.notAttempted("its rate window ended before a session was free"));
        }
        boolean usable = true;
        try {
            String tooLarge = tooLarge(s, message);
            if (tooLarge != null) {
                return done(recipients, SendResult.permanent(tooLarge));
            }
            if (s.supportsExtension("SIZE")) {
                message.setMailExtension("SIZE=" + message.getSize());
            }
            s.beginTransaction();
            s.sendMessage(message, addresses(recipients));
            return done(recipients, SendResult.accepted(reply(s.getLastServerResponse(), "250 accepted")));
        } catch (SendFailedException e) {
            // Some or all recipients refused at RCPT (with sendpartial the others got the message), or the message refused.
            Transaction t = byRecipient(recipients, e);
            usable = !(e instanceof SMTPSendFailedException) || t.accepted() > 0;
            return t;
        } catch (MessagingException e) {
            usable = false;
            if (s.dotWritten()) {
                return done(recipients, SendResult.afterDot("no reply after the message: " + describe(e)));
            }
            // e.g. a 421 to a RCPT, which ends the session: the relay's own words, per recipient.
            return hasAddressAnswers(e) ? byRecipient(recipients, e) : done(recipients, connectionFailure(e));
        } catch (RuntimeException e) {
            usable = false;
            return done(recipients, s.dotWritten() ? SendResult.afterDot("connection: " + e) : SendResult.temporary("connection: " + e));
        } finally {
            pool.giveBack(s, usable && s.isConnected());
        }
    }

    private RelaySession open() throws SessionPool.Refused, MessagingException {
        RelaySession s = new RelaySession(session, new URLName("smtp", relay.host(), relay.port(), null, null, null),
                (int) config.sendTimeout().toMillis(), (int) config.dataEndTimeout().toMillis());
        try {
            s.connect(relay.host(), relay.port(), relay.username().filter(u -> !u.isBlank()).orElse(null),
                    relay.password().filter(pw -> !pw.isBlank()).orElse(null));
            s.socket(NoDelaySocketFactory.lastCreated());
            return s;
        } catch (MailConnectException e) {
            if (e.getCause() instanceof ConnectException) {
                throw new SessionPool.Refused("refused: " + e.getCause().getMessage(), e);
            }
            throw e;
        } catch (MessagingException e) {
            // A relay at its session limit greets with 421 (RFC 5321 3.8) and closes.
            if (s.getLastReturnCode() == 421) {
                throw new SessionPool.Refused("greeted with " + reply(s.getLastServerResponse(), "421"), e);
            }
            throw e;
        }
    }

    /** Why the message is too large for this relay (RFC 1870), before any of it is sent; null when it fits. */
    private static String tooLarge(RelaySession s, RawMessage message) {
        String max = s.getExtensionParameter("SIZE");
        if (max == null || max.isBlank()) {
            return null;
        }
        try {
            long limit = Long.parseLong(max.trim().split("\\s+")[0]);
            return limit > 0 && message.getSize() > limit
                    ? "552 5.3.4 the message is " + message.getSize() + " bytes; the relay takes at most " + limit + " (not sent)" : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Each recipient's own answer from the exceptions Angus chains per address; accepted ones when the message went. */
    private static boolean hasAddressAnswers(MessagingException e) {
        for (Exception next = e; next != null; next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException) {
                return true;
            }
        }
        return false;
    }

    private static Transaction byRecipient(List<String> recipients, MessagingException e) {
        Map<String, SendResult> answers = new LinkedHashMap<>();
        List<String> overLimit = new ArrayList<>();
        Map<String, SMTPAddressFailedException> refused = new LinkedHashMap<>();
        for (Exception next = e; next != null; next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException a) {
                refused.put(SendResult.key(a.getAddress().getAddress()), a);
            }
        }
        boolean sent = e instanceof SMTPSendFailedException sf && sf.getValidSentAddresses() != null && sf.getValidSentAddresses().length > 0;
        SendResult messageAnswer = e instanceof SMTPSendFailedException sf && !sent ? classify(sf.getReturnCode(), sf.getMessage()) : null;
        int accepted = 0;
        for (String r : recipients) {
            SMTPAddressFailedException a = refused.get(SendResult.key(r));
            if (a != null) {
                if (isRecipientLimit(a)) {
                    overLimit.add(r);
                } else {
                    answers.put(SendResult.key(r), classify(a.getReturnCode(), a.getMessage()));
                }
            } else if (sent) {
                answers.put(SendResult.key(r), SendResult.accepted("250 accepted"));
                accepted++;
            } else if (messageAnswer != null) {
                answers.put(SendResult.key(r), messageAnswer); // the relay answered the message itself: a refusal, not a doubt
            } else {
                answers.put(SendResult.key(r), SendResult.temporary(reply(e.getMessage(), "refused")));
            }
        }
        if (accepted == 0 && !overLimit.isEmpty()) {
            // Nothing went at all: the limit says nothing to split by; the refusal is these recipients' answer.
            overLimit.forEach(r -> answers.put(SendResult.key(r), classify(refused.get(SendResult.key(r)).getReturnCode(),
                    refused.get(SendResult.key(r)).getMessage())));
            overLimit.clear();
        }
        return new Transaction(answers, overLimit, accepted);
    }

    /** RFC 5321 4.5.3.1.10: "452 Too many recipients", with RFC 3463's 4.5.3 where the relay gives enhanced codes. */
    private static boolean isRecipientLimit(SMTPAddressFailedException a) {
        String text = a.getMessage() == null ? "" : a.getMessage().toLowerCase(Locale.ROOT);
        return a.getReturnCode() == 452 && (text.contains("4.5.3") || text.contains("too many recipients"));
    }

    private static Transaction done(List<String> recipients, SendResult result) {
        return new Transaction(SendResult.all(recipients, result), List.of(), result.kind() == SendResult.Kind.ACCEPTED ? recipients.size() : 0);
    }

    private static SendResult connectionFailure(MessagingException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof SocketTimeoutException) {
            return SendResult.temporary("timeout: the relay did not answer in time");
        }
        return SendResult.temporary("connection: " + describe(e));
    }

    private static String describe(MessagingException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage().trim());
    }

    private static Address[] addresses(List<String> recipients) throws MessagingException {
        Address[] out = new Address[recipients.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new InternetAddress(recipients.get(i), true);
        }
        return out;
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

    /** Sockets with Nagle's algorithm off: SMTP is a dialogue of small writes. Remembers the last one each thread made. */
    static final class NoDelaySocketFactory extends javax.net.SocketFactory {
        private static final javax.net.SocketFactory PLAIN = javax.net.SocketFactory.getDefault();
        private static final ThreadLocal<Socket> LAST = new ThreadLocal<>();

        static Socket lastCreated() {
            Socket s = LAST.get();
            LAST.remove();
            return s;
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            LAST.set(socket);
            return socket;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(PLAIN.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(PLAIN.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws IOException {
            return noDelay(PLAIN.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            return noDelay(PLAIN.createSocket(host, port));
        }

        @Override
        public Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort) throws IOException {
            return noDelay(PLAIN.createSocket(host, port, local, localPort));
        }
    }
}
