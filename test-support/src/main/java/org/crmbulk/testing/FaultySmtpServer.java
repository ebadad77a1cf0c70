package org.crmbulk.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMTP relay that misbehaves on purpose: per recipient it answers 421, 451 or 550 at RCPT,
 * stalls after the message without answering, holds the final reply until the test releases it, or
 * drops the connection in the middle of DATA, for a given number of attempts; or it refuses everything
 * with 421 while "down", or holds every message's final reply while told to. It keeps what it accepts and a
 * transcript of every session's commands.
 * No PIPELINING, no TLS, no AUTH: a client that requires STARTTLS must find nothing to talk to.
 */
public final class FaultySmtpServer extends LoopbackSmtpServer {

    public enum Fault {
        TEMPORARY_421("421 4.3.2 Service not available, try later"),
        TEMPORARY_451("451 4.3.0 Local error in processing"),
        PERMANENT_550("550 5.1.1 Mailbox unavailable"),
        STALL(null),
        /** No answer to the final dot until {@link #release()}: a relay slow to confirm, for as long as a test needs. */
        HOLD(null),
        DROP_IN_DATA(null);

        final String reply;

        Fault(String reply) {
            this.reply = reply;
        }
    }

    /** A message the server accepted (answered 250 after DATA). */
    public record Accepted(List<String> recipients, String messageId, String data, java.time.Instant at) {
    }

    private record Planned(Fault fault, AtomicInteger remaining) {
    }

    private final Map<String, Planned> faults = new ConcurrentHashMap<>();
    private final List<Accepted> accepted = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    private final AtomicInteger attempts = new AtomicInteger();
    private final List<List<String>> sessions = new CopyOnWriteArrayList<>();
    private volatile java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean down;
    private volatile boolean holdEvery;
    private final AtomicInteger holding = new AtomicInteger();
    private volatile long stallMillis = 5_000;

    public FaultySmtpServer() throws IOException {
        super("faulty-smtp", 50);
        start();
    }

    /** The recipient meets {@code fault} on its next {@code times} messages, then is served normally. */
    public FaultySmtpServer fault(String recipient, Fault fault, int times) {
        faults.put(recipient.toLowerCase(Locale.ROOT), new Planned(fault, new AtomicInteger(times)));
        return this;
    }

    /** While down, every RCPT is answered 421, as by a relay that is overloaded or shutting down. */
    public void down(boolean down) {
        this.down = down;
    }

    /** While on, every message waits for its final reply as under {@link Fault#HOLD}: a client is surely mid-send. */
    public void holdEveryMessage(boolean on) {
        this.holdEvery = on;
    }

    /** Messages whose final dot arrived and whose answer is held now. */
    public int holding() {
        return holding.get();
    }

    public void stallFor(long millis) {
        this.stallMillis = millis;
    }

    public List<Accepted> accepted() {
        synchronized (accepted) {
            return List.copyOf(accepted);
        }
    }

    public int acceptedCount() {
        return accepted.size();
    }

    /** RCPT commands seen, faults included. */
    public int attempts() {
        return attempts.get();
    }

    /** Every session's commands as the client sent them (message content excluded), oldest session first. */
    public List<List<String>> transcripts() {
        return sessions.stream().map(List::copyOf).toList();
    }

    /** Lets every message held by {@link Fault#HOLD} have its answer; later holds wait for the next release. */
    public void release() {
        java.util.concurrent.CountDownLatch was = held;
        held = new java.util.concurrent.CountDownLatch(1);
        was.countDown();
    }

    @Override
    void session(Socket socket) {
        try (socket; BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
             OutputStream out = socket.getOutputStream()) {
            reply(out, "220 faulty.test ESMTP");
            List<String> transcript = new CopyOnWriteArrayList<>();
            sessions.add(transcript);
            List<String> recipients = new CopyOnWriteArrayList<>();
            Fault dataFault = null;
            String line;
            while ((line = in.readLine()) != null) {
                transcript.add(line);
                String cmd = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line.toUpperCase(Locale.ROOT);
                switch (cmd) {
                    case "EHLO" -> reply(out, "250-faulty.test\r\n250-8BITMIME\r\n250 SIZE 52428800");
                    case "HELO" -> reply(out, "250 faulty.test");
                    case "MAIL" -> {
                        recipients.clear();
                        dataFault = null;
                        reply(out, "250 2.1.0 OK");
                    }
                    case "RCPT" -> {
                        attempts.incrementAndGet();
                        String rcpt = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>')).toLowerCase(Locale.ROOT);
                        if (down) {
                            reply(out, Fault.TEMPORARY_421.reply);
                            return;
                        }
                        Planned planned = faults.get(rcpt);
                        Fault fault = planned != null && planned.remaining().getAndDecrement() > 0 ? planned.fault() : null;
                        if (fault != null && fault.reply != null) {
                            reply(out, fault.reply);
                            if (fault == Fault.TEMPORARY_421) {
                                return; // 421 closes the transmission channel (RFC 5321 3.8)
                            }
                        } else {
                            if (fault != null) {
                                dataFault = fault;
                            }
                            recipients.add(rcpt);
                            reply(out, "250 2.1.5 OK");
                        }
                    }
                    case "DATA" -> {
                        reply(out, "354 End data with <CR><LF>.<CR><LF>");
                        StringBuilder data = new StringBuilder();
                        int lines = 0;
                        String d;
                        while ((d = in.readLine()) != null && !d.equals(".")) {
                            data.append(d).append("\r\n");
                            if (dataFault == Fault.DROP_IN_DATA && ++lines == 3) {
                                return; // the connection drops in the middle of the message
                            }
                        }
                        if (d == null) {
                            return; // the client went away mid-message: without the final dot nothing is accepted (RFC 5321 4.1.1.4)
                        }
                        if (dataFault == Fault.STALL) {
                            Thread.sleep(stallMillis);
                            return;
                        }
                        if (dataFault == Fault.HOLD || holdEvery) {
                            holding.incrementAndGet();
                            try {
                                held.await();
                            } finally {
                                holding.decrementAndGet();
                            }
                        }
                        accepted.add(new Accepted(List.copyOf(recipients), header(data.toString(), "Message-ID"), data.toString(), java.time.Instant.now()));
                        reply(out, "250 2.0.0 OK queued");
                    }
                    case "RSET" -> {
                        recipients.clear();
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
            // the client went away, or we dropped it on purpose
        }
    }
}
