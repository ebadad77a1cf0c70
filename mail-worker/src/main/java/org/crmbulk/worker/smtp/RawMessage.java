package org.crmbulk.worker.smtp;

import java.io.IOException;
import java.io.OutputStream;

import org.eclipse.angus.mail.smtp.SMTPMessage;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;

/**
 * A message composed once into its bytes, after its DKIM signature (empty when unsigned): its size is known before it
 * is sent (SIZE, RFC 1870), and every transaction it takes (a BULK message split by the relay's recipient limit)
 * writes the same bytes.
 */
final class RawMessage extends SMTPMessage {

    private final byte[] signature;
    private final byte[] bytes;

    RawMessage(Session session, byte[] signature, byte[] bytes, String envelopeFrom) throws MessagingException {
        super(session);
        this.signature = signature;
        this.bytes = bytes;
        setEnvelopeFrom(new InternetAddress(envelopeFrom, true).getAddress()); // MAIL FROM; the From header is the one in the bytes
    }

    @Override
    public int getSize() {
        return signature.length + bytes.length;
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
        writeTo(os);
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
        os.write(signature);
        os.write(bytes);
    }
}
