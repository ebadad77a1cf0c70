package org.crmbulk.worker.smtp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A message's bytes as they go between DATA and the final dot (RFC 5321 4.5.2): every line ended by CRLF, a line
 * that starts with a dot given another, and a CRLF at the end when the message has none — byte for byte what
 * Angus's {@code SMTPOutputStream} writes, but done in bulk: a shared body (an attachment) is prepared once and
 * then written as it is for every message, and bytes that need no change are not copied.
 */
final class WireForm {

    private static final int START = -1;
    /** Stands for "the body itself" in the map below: a value must not hold its weak key. */
    private static final byte[] AS_IS = new byte[0];

    /** Shared bodies in wire form (usually the same array: base64 needs nothing), by identity, for as long as a launch holds them. */
    private final Map<byte[], byte[]> prepared = Collections.synchronizedMap(new WeakHashMap<>());

    /** The message's wire form, in the order to write it. */
    List<byte[]> of(List<ComposedMessage.Segment> segments) {
        List<byte[]> wire = new ArrayList<>(segments.size() + 1);
        int last = START;
        for (ComposedMessage.Segment s : segments) {
            byte[] b = s.bytes();
            if (b.length == 0) {
                continue;
            }
            boolean afterLineEnd = last == START || last == '\n';
            wire.add(s.shared() && afterLineEnd ? prepared(b) : encode(b, last));
            last = b[b.length - 1];
        }
        if (last != START && last != '\r' && last != '\n') {
            wire.add(new byte[] {'\r', '\n'});
        }
        return wire;
    }

    private byte[] prepared(byte[] body) {
        byte[] wire = prepared.computeIfAbsent(body, b -> {
            byte[] encoded = encode(b, START);
            return encoded == b ? AS_IS : encoded;
        });
        return wire == AS_IS ? body : wire;
    }

    /**
     * One segment's wire form, given the byte before it ({@code -1} at the message's start): the same array when
     * nothing changes. A segment entered after a line end transforms the same whether it starts the message or not.
     */
    static byte[] encode(byte[] b, int last) {
        return needsNothing(b, last) ? b : transform(b, last);
    }

    private static boolean needsNothing(byte[] b, int last) {
        int prev = last;
        for (int i = 0; i < b.length; i++) {
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 == b.length || b[i + 1] != '\n') {
                    return false;
                }
            } else if (c == '\n') {
                if (prev != '\r' || i == 0) {
                    return false; // a bare LF, or one whose CR ended the previous segment (already written as CRLF)
                }
            } else if (c == '.' && (prev == '\n' || prev == '\r' || prev == START)) {
                return false;
            }
            prev = c;
        }
        return true;
    }

    /** SMTPOutputStream over CRLFOutputStream: a CR, an LF or a CRLF become CRLF; a dot that starts a line is doubled. */
    private static byte[] transform(byte[] b, int last) {
        byte[] out = new byte[b.length + b.length / 16 + 16];
        int n = 0;
        int prev = last;
        for (byte c : b) {
            if (n + 3 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            if (c == '.' && (prev == '\n' || prev == '\r' || prev == START)) {
                out[n++] = '.';
            }
            if (c == '\r') {
                out[n++] = '\r';
                out[n++] = '\n';
            } else if (c == '\n') {
                if (prev != '\r') {
                    out[n++] = '\r';
                    out[n++] = '\n';
                }
            } else {
                out[n++] = c;
            }
            prev = c;
        }
        return Arrays.copyOf(out, n);
    }
}
