package org.crmbulk.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP relay scripted to behave as real MTAs do (Postfix, Exchange Online and Gmail all show these): answers
 * per recipient and per phase (a 550 or 451 at RCPT, a 421 after MAIL, a 4xx or 5xx after the message), a cap on
 * recipients per transaction (452 4.5.3 Too many recipients, RFC 5321 4.5.3.1.10), a cap on concurrent
 * connections (421 at the greeting beyond it), a final reply that comes late, and a message size limit (SIZE,
 * RFC 1870). It records every transaction as it saw it; a message whose final dot arrived is the relay's to
 * deliver, whether or not the client was still there for the reply, as with a real relay.
 */
public final class ScriptedSmtpRelay extends LoopbackSmtpServer {

    /** Where a scripted answer is given. */
    public enum Phase {
        /** To MAIL FROM (script it for recipient {@code "*"}); a 421 closes the connection. */
        MAIL,
        /** To this recipient's RCPT TO. */
        RCPT,
        /** To the final dot of a message carrying this recipient. */
        DATA_END
    }

    /** One recipient as the client named it, and what the relay answered. */
    public record Rcpt(String address, String reply) {
        public boolean accepted() {
            return reply.startsWith("2");
        }
    }

    /**
     * One MAIL transaction: the envelope (MAIL FROM's address and parameters), each RCPT with its reply, whether
     * the message's final dot arrived, its Message-ID, the final reply sent (null when the client was gone) and the
     * recipients the relay took the message for; {@code data}: the bytes between DATA's 354 and the final dot exactly as
     * they came (dot-stuffed), null when no message came.
     */
    public record Transaction(int session, String mailFrom, String mailParameters, List<Rcpt> rcpts, boolean dotReceived,
            String messageId, String finalReply, List<String> delivered, Instant at, byte[] data) {

        /** The message as a relay stores it from {@link #data()}: a line's leading dot removed (RFC 5321 4.5.2). */
        public byte[] message() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
            boolean lineStart = true;
            for (byte b : data) {
                if (!(lineStart && b == '.')) {
                    out.write(b);
                }
                lineStart = b == '\n';
            }
            return out.toByteArray();
        }
    }

    private record Script(String reply, AtomicInteger remaining) {
    }

    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, Script> delays = new ConcurrentHashMap<>();
    private final List<Transaction> transactions = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger refusedConnections = new AtomicInteger();
    private volatile int maxRecipients = Integer.MAX_VALUE;
    private volatile int maxConnections = Integer.MAX_VALUE;
    private volatile long sizeLimit;

    public ScriptedSmtpRelay() throws IOException {
        super("scripted-smtp", 100);
        start();
    }

    /** The next {@code times} times this recipient meets {@code phase}, the relay answers {@code reply}. */
    public ScriptedSmtpRelay answer(Phase phase, String recipient, String reply, int times) {
        scripts.put(key(phase, recipient), new Script(reply, new AtomicInteger(times)));
        return this;
    }

    /** The final reply to the next {@code times} messages carrying this recipient comes this late. */
    public ScriptedSmtpRelay delayFinalReply(String recipient, Duration delay, int times) {
        delays.put(recipient.toLowerCase(Locale.ROOT), new Script(String.valueOf(delay.toMillis()), new AtomicInteger(times)));
        return this;
    }

    /** RCPTs beyond this many in one transaction get 452 4.5.3 Too many recipients. */
    public ScriptedSmtpRelay maxRecipientsPerTransaction(int n) {
        maxRecipients = n;
        return this;
    }

    /** Connections beyond this many at once are greeted with 421 and closed. */
    public ScriptedSmtpRelay maxConnections(int n) {
        maxConnections = n;
        return this;
    }

    /** Advertises SIZE with this limit and refuses a MAIL declaring more (552 5.3.4); 0: SIZE without a limit. */
    public ScriptedSmtpRelay sizeLimit(long bytes) {
        sizeLimit = bytes;
        return this;
    }

    public List<Transaction> transactions() {
        synchronized (transactions) {
            return List.copyOf(transactions);
        }
    }

    /** How many copies of a message each recipient was delivered, by address (lower case). */
    public Map<String, Integer> copies() {
        Map<String, Integer> copies = new HashMap<>();
        for (Transaction t : transactions()) {
            t.delivered().forEach(r -> copies.merge(r, 1, Integer::sum));
        }
        return copies;
    }

    /** The most connections that were open at once (those greeted with 421 not counted). */
    public int peakConnections() {
        return peak.get();
    }

    /** Connections greeted with 421 because too many were open. */
    public int refusedConnections() {
        return refusedConnections.get();
    }

    @Override
    void session(Socket socket) {
        int id = sessions.incrementAndGet();
        boolean counted = false;
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
             OutputStream out = socket.getOutputStream()) {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refusedConnections.incrementAndGet();
                reply(out, "421 4.7.0 scripted.test Too many concurrent connections, try again later");
                return;
            }
            counted = true;
            peak.accumulateAndGet(open.get(), Math::max);
            reply(out, "220 scripted.test ESMTP");
            Transaction current = null;
            String line;
            while ((line = text(readLine(in))) != null) {
                String cmd = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
                switch (cmd) {
                    case "EHLO" -> reply(out, "250-scripted.test\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 SIZE"
                            + (sizeLimit > 0 ? " " + sizeLimit : ""));
                    case "HELO" -> reply(out, "250 scripted.test");
                    case "MAIL" -> {
                        String from = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        String parameters = line.substring(line.indexOf('>') + 1).trim();
                        long declared = declaredSize(parameters);
                        if (sizeLimit > 0 && declared > sizeLimit) {
                            reply(out, "552 5.3.4 Message size exceeds fixed limit");
                            continue;
                        }
                        String mail = scripted(Phase.MAIL, "*");
                        if (mail != null) {
                            transactions.add(new Transaction(id, from, parameters, List.of(), false, null, mail, List.of(), Instant.now(), null));
                            reply(out, mail);
                            if (mail.startsWith("421")) {
                                return;
                            }
                            continue;
                        }
                        current = new Transaction(id, from, parameters, new ArrayList<>(), false, null, null, new ArrayList<>(), Instant.now(), null);
                        reply(out, "250 2.1.0 OK");
                    }
                    case "RCPT" -> {
                        String rcpt = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>')).toLowerCase(Locale.ROOT);
                        if (current == null) {
                            reply(out, "503 5.5.1 MAIL first");
                            continue;
                        }
                        String answer = current.rcpts().stream().filter(Rcpt::accepted).count() >= maxRecipients
                                ? "452 4.5.3 Too many recipients" : scripted(Phase.RCPT, rcpt);
                        answer = answer == null ? "250 2.1.5 OK" : answer;
                        current.rcpts().add(new Rcpt(rcpt, answer));
                        reply(out, answer);
                        if (answer.startsWith("421")) {
                            transactions.add(current);
                            return; // 421 closes the transmission channel (RFC 5321 3.8)
                        }
                    }
                    case "DATA" -> {
                        if (current == null || current.rcpts().stream().noneMatch(Rcpt::accepted)) {
                            reply(out, "554 5.5.1 No valid recipients");
                            continue;
                        }
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        ByteArrayOutputStream data = new ByteArrayOutputStream();
                        byte[] d;
                        while ((d = readLine(in)) != null && !".".equals(text(d))) {
                            data.write(d);
                        }
                        List<String> accepted = current.rcpts().stream().filter(Rcpt::accepted).map(Rcpt::address).toList();
                        if (d == null) {
                            transactions.add(current); // the client went away mid-message: nothing was taken (RFC 5321 4.1.1.4)
                            return;
                        }
                        String finalReply = accepted.stream().map(r -> scripted(Phase.DATA_END, r)).filter(r -> r != null).findFirst()
                                .orElse("250 2.0.0 OK queued");
                        long delay = accepted.stream().mapToLong(this::delayFor).max().orElse(0);
                        Transaction done = new Transaction(id, current.mailFrom(), current.mailParameters(), List.copyOf(current.rcpts()),
                                true, header(data.toString(StandardCharsets.UTF_8), "Message-ID"), finalReply,
                                finalReply.startsWith("2") ? accepted : List.of(), current.at(), data.toByteArray());
                        current = null;
                        if (delay > 0) {
                            Thread.sleep(delay);
                        }
                        try {
                            reply(out, finalReply);
                            transactions.add(done);
                        } catch (IOException e) {
                            // The client gave up waiting; the message is the relay's all the same.
                            transactions.add(new Transaction(done.session(), done.mailFrom(), done.mailParameters(), done.rcpts(),
                                    true, done.messageId(), null, done.delivered(), done.at(), done.data()));
                            return;
                        }
                    }
                    case "RSET" -> {
                        if (current != null && !current.rcpts().isEmpty()) {
                            transactions.add(current); // abandoned before DATA: nothing delivered
                        }
                        current = null;
                        reply(out, "250 2.0.0 OK");
                    }
                    default -> {
                        if (!answerOther(cmd, out)) {
                            return;
                        }
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            if (counted) {
                open.decrementAndGet();
            }
        }
    }

    /** One line as it came, with its line end (CRLF, or a bare LF); null at the end of the stream. */
    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                return line.toByteArray();
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    /** A command line without its line end. */
    private static String text(byte[] line) {
        if (line == null) {
            return null;
        }
        String s = new String(line, StandardCharsets.UTF_8);
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private String scripted(Phase phase, String recipient) {
        Script s = scripts.get(key(phase, recipient));
        return s != null && s.remaining().getAndDecrement() > 0 ? s.reply() : null;
    }

    private long delayFor(String recipient) {
        Script s = delays.get(recipient);
        return s != null && s.remaining().getAndDecrement() > 0 ? Long.parseLong(s.reply()) : 0;
    }

    private static String key(Phase phase, String recipient) {
        return phase + " " + recipient.toLowerCase(Locale.ROOT);
    }

    private static long declaredSize(String parameters) {
        for (String p : parameters.split(" ")) {
            if (p.toUpperCase(Locale.ROOT).startsWith("SIZE=")) {
                return Long.parseLong(p.substring(5));
            }
        }
        return -1;
    }
}
