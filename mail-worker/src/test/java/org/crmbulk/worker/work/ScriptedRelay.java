package org.crmbulk.worker.work;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.worker.smtp.MailTransport;
import org.crmbulk.worker.smtp.SendResult;

/** A relay in memory that answers each message as the test says, on its own threads like the real transport. */
public final class ScriptedRelay implements MailTransport, AutoCloseable {

    /** Every message handed to the relay, in order, whatever it answered. */
    public final List<MailMessage> received = Collections.synchronizedList(new ArrayList<>());
    public volatile Function<MailMessage, SendResult> answer = m -> SendResult.accepted("250 2.0.0 queued");
    /** Runs as each message arrives, before the answer (e.g. a person pausing the launch meanwhile). */
    public volatile Consumer<MailMessage> onReceive = m -> {
    };
    private final ExecutorService sessions = Executors.newFixedThreadPool(4);

    @Override
    public CompletionStage<SendResult> send(MailMessage mail, String envelopeSender, java.time.Instant notAfter) {
        return CompletableFuture.supplyAsync(() -> {
            received.add(mail);
            onReceive.accept(mail);
            return answer.apply(mail);
        }, sessions);
    }

    public List<String> recipients() {
        synchronized (received) {
            return received.stream().flatMap(m -> m.recipients().stream()).map(MailMessage.Mailbox::email).toList();
        }
    }

    @Override
    public void close() {
        sessions.shutdownNow();
    }
}
