package org.crmbulk.worker.smtp;

import java.io.IOException;
import java.net.Socket;

import org.eclipse.angus.mail.smtp.SMTPTransport;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;

/**
 * One SMTP session to the relay. After the message's final dot it waits for the reply as long as RFC 5321
 * 4.5.3.2.6 allows (10 minutes by default, its own setting), not the short timeout of the other replies, and
 * it knows whether the dot was written: from then on the relay may have the message whatever becomes of its reply.
 */
final class RelaySession extends SMTPTransport {

    private final int replyTimeoutMillis;
    private final int dataEndTimeoutMillis;
    private Socket socket;
    private boolean dotWritten;
    long lastUsed = System.currentTimeMillis();

    RelaySession(Session session, URLName relay, int replyTimeoutMillis, int dataEndTimeoutMillis) {
        super(session, relay, "smtp", false);
        this.replyTimeoutMillis = replyTimeoutMillis;
        this.dataEndTimeoutMillis = dataEndTimeoutMillis;
    }

    /** The plain socket under the session (TLS, when used, is layered over it), to change its read timeout. */
    void socket(Socket socket) {
        this.socket = socket;
    }

    /** Starts a new transaction: nothing of it has reached the relay yet. */
    void beginTransaction() {
        dotWritten = false;
    }

    boolean dotWritten() {
        return dotWritten;
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        dotWritten = true;
        if (socket != null) {
            socket.setSoTimeout(dataEndTimeoutMillis);
        }
        try {
            super.finishData();
        } finally {
            if (socket != null && !socket.isClosed()) {
                socket.setSoTimeout(replyTimeoutMillis);
            }
        }
    }
}
