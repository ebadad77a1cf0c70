package org.crmbulk.worker.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;

import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.jboss.logging.Logger;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;

/**
 * One SMTP session to the relay. After the message's final dot it waits for the reply as long as RFC 5321
 * 4.5.3.2.6 allows (10 minutes by default, its own setting), not the short timeout of the other replies, and
 * it knows whether the dot was written: from then on the relay may have the message whatever becomes of its reply.
 */
final class RelaySession extends SMTPTransport {

    private static final Logger LOG = Logger.getLogger(RelaySession.class);
    /** Angus's buffered stream to the relay, which its DATA stream filters byte by byte; null if a new Angus renamed it. */
    private static final Field SERVER_OUTPUT = serverOutputField();

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

    /** Whether messages go to the relay in bulk in their prepared wire form (otherwise through Angus's filter: slower, same bytes). */
    static boolean writesInBulk() {
        return SERVER_OUTPUT != null;
    }

    @Override
    protected OutputStream data() throws MessagingException {
        OutputStream stuffing = super.data();
        if (SERVER_OUTPUT == null) {
            return stuffing;
        }
        try {
            return new DataStream(stuffing, (OutputStream) SERVER_OUTPUT.get(this));
        } catch (IllegalAccessException e) {
            return stuffing;
        }
    }

    /**
     * The DATA stream: what is written to it goes through Angus's dot-stuffing and line-end filter; a message's wire form,
     * already in that shape, goes to the same buffered socket stream as it is. One message uses one or the other.
     */
    static final class DataStream extends FilterOutputStream {
        private final OutputStream server;

        DataStream(OutputStream stuffing, OutputStream server) {
            super(stuffing);
            this.server = server;
        }

        void writeWire(byte[] b) throws IOException {
            server.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }
    }

    private static Field serverOutputField() {
        try {
            Field f = SMTPTransport.class.getDeclaredField("serverOutput");
            f.setAccessible(true);
            if (OutputStream.class.isAssignableFrom(f.getType())) {
                return f;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debugf("no access to Angus's server stream: %s", e);
        }
        LOG.warn("SMTP: messages go through Angus's byte-by-byte DATA filter (its server stream is not reachable in this Angus version)");
        return null;
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
