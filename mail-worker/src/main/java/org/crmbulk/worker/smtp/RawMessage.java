package org.crmbulk.worker.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.angus.mail.smtp.SMTPMessage;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;

/**
 * A message composed once, after its DKIM signature (empty when unsigned): its size is known before it is sent (SIZE,
 * RFC 1870), and every transaction it takes (a BULK message split by the relay's recipient limit) writes the same
 * bytes. To a relay session it writes its wire form in bulk (see {@link WireForm}); to any other stream its bytes.
 */
final class RawMessage extends SMTPMessage {

    private final List<ComposedMessage.Segment> segments;
    private final WireForm wireForm;
    private final int size;
    private List<byte[]> wire;

    RawMessage(Session session, byte[] signature, List<ComposedMessage.Segment> composed, WireForm wireForm, String envelopeFrom)
            throws MessagingException {
        super(session);
        segments = new ArrayList<>(composed.size() + 1);
        segments.add(new ComposedMessage.Segment(signature, false));
        segments.addAll(composed);
        this.wireForm = wireForm;
        size = segments.stream().mapToInt(s -> s.bytes().length).sum();
        setEnvelopeFrom(new InternetAddress(envelopeFrom, true).getAddress()); // MAIL FROM; the From header is the one in the bytes
    }

    @Override
    public int getSize() {
        return size;
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
        writeTo(os);
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        if (os instanceof RelaySession.DataStream data) {
            if (wire == null) {
                wire = wireForm.of(segments);
            }
            for (byte[] b : wire) {
                data.writeWire(b);
            }
            return;
        }
        for (ComposedMessage.Segment s : segments) {
            os.write(s.bytes());
        }
    }
}
