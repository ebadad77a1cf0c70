package org.crmbulk.worker.smtp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/**
 * A message as Jakarta Mail composes it, kept as segments: the bytes written for this message, and the attachments'
 * encoded bodies by reference (the same arrays for every message of a launch). Joined, they are exactly what
 * {@code MimeMessage.writeTo} writes.
 */
final class ComposedMessage extends OutputStream implements MimeBodies.SharedBodySink {

    /** Bytes of the message in order; {@code shared} when they are a body every message of its content carries. */
    record Segment(byte[] bytes, boolean shared) {
    }

    private final List<Segment> segments = new ArrayList<>();
    private ByteArrayOutputStream own = new ByteArrayOutputStream(8 * 1024);

    static List<Segment> of(MailMessage mail, Session session) throws MessagingException, IOException {
        return of(mail.toMimeMessage(session));
    }

    static List<Segment> of(MimeMessage message) throws MessagingException, IOException {
        ComposedMessage composed = new ComposedMessage();
        message.writeTo(composed);
        return composed.segments();
    }

    @Override
    public void write(int b) {
        own.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        own.write(b, off, len);
    }

    @Override
    public void shared(byte[] body) {
        endOwn();
        segments.add(new Segment(body, true));
    }

    private List<Segment> segments() {
        endOwn();
        return List.copyOf(segments);
    }

    private void endOwn() {
        if (own.size() > 0) {
            segments.add(new Segment(own.toByteArray(), false));
            own = new ByteArrayOutputStream(4 * 1024);
        }
    }
}
