package org.crmbulk.contract.mime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;

/**
 * A UTF-8 text part encoded in one pass over its bytes, into exactly the bytes {@code MimeBodyPart.setText} makes Jakarta
 * Mail write: the same transfer encoding chosen by the same rule ({@code MimeUtility.getEncoding} for text: 7bit when
 * every byte is US-ASCII and no line is over 998 bytes, quoted-printable when ASCII bytes outnumber the others, base64
 * otherwise) and quoted-printable as Angus's {@code QPEncoderStream} writes it. Angus encodes a byte at a time through
 * a stream filter, checking each byte's ASCII-ness first in another pass: for the personalised body of every message,
 * that was a quarter of the worker's CPU. Base64 text (mostly non-Latin scripts) is left to Jakarta Mail.
 * {@code TextPartsTest} compares the bytes with Jakarta Mail's over many texts.
 */
final class TextParts {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** QPEncoderStream's 76 characters a line, less the '=' of a soft line break. */
    private static final int LINE = 75;

    private TextParts() {
    }

    /** The part for {@code text} as {@code text/<subtype>; charset=UTF-8}. */
    static MimeBodyPart part(String text, String subtype) throws MessagingException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        int ascii = 0;
        int lineLength = 0;
        boolean longLine = false;
        for (byte value : utf8) {
            int b = value & 0xff;
            if (b == '\r' || b == '\n') {
                lineLength = 0;
            } else if (++lineLength > 998) {
                longLine = true;
            }
            if (!(b >= 0177 || (b < 040 && b != '\r' && b != '\n' && b != '\t'))) {
                ascii++;
            }
        }
        int nonAscii = utf8.length - ascii;
        String encoding;
        byte[] body;
        if (nonAscii == 0 && !longLine) {
            encoding = "7bit";
            body = utf8;
        } else if (nonAscii == 0 || ascii > nonAscii) {
            encoding = "quoted-printable";
            body = quotedPrintable(utf8);
        } else {
            MimeBodyPart part = new MimeBodyPart();
            part.setText(text, "UTF-8", subtype);
            return part;
        }
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", "text/" + subtype + "; charset=UTF-8");
        headers.setHeader("Content-Transfer-Encoding", encoding);
        return new MimeBodyPart(headers, body);
    }

    /** Quoted-printable (RFC 2045) as Angus's QPEncoderStream writes it, its trailing space encoded as its flush does. */
    static byte[] quotedPrintable(byte[] in) {
        byte[] out = new byte[in.length + in.length / 4 + 16];
        int n = 0;
        int count = 0;
        boolean gotSpace = false;
        boolean gotCR = false;
        for (byte value : in) {
            if (out.length - n < 16) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            int c = value & 0xff;
            if (gotSpace) {
                boolean encode = c == '\r' || c == '\n';
                int width = encode ? 3 : 1;
                if ((count += width) > LINE) {
                    out[n++] = '=';
                    out[n++] = '\r';
                    out[n++] = '\n';
                    count = width;
                }
                if (encode) {
                    out[n++] = '=';
                    out[n++] = '2';
                    out[n++] = '0';
                } else {
                    out[n++] = ' ';
                }
                gotSpace = false;
            }
            if (c == '\r') {
                gotCR = true;
                out[n++] = '\r';
                out[n++] = '\n';
                count = 0;
                continue;
            }
            if (c == '\n') {
                if (!gotCR) {
                    out[n++] = '\r';
                    out[n++] = '\n';
                    count = 0;
                }
            } else if (c == ' ') {
                gotSpace = true;
            } else if (c < 040 || c >= 0177 || c == '=') {
                if ((count += 3) > LINE) {
                    out[n++] = '=';
                    out[n++] = '\r';
                    out[n++] = '\n';
                    count = 3;
                }
                out[n++] = '=';
                out[n++] = HEX[c >> 4];
                out[n++] = HEX[c & 0xf];
            } else {
                if (++count > LINE) {
                    out[n++] = '=';
                    out[n++] = '\r';
                    out[n++] = '\n';
                    count = 1;
                }
                out[n++] = (byte) c;
            }
            gotCR = false;
        }
        if (gotSpace) {
            if (out.length - n < 8) {
                out = Arrays.copyOf(out, out.length + 8);
            }
            if (count + 3 > LINE) {
                out[n++] = '=';
                out[n++] = '\r';
                out[n++] = '\n';
            }
            out[n++] = '=';
            out[n++] = '2';
            out[n++] = '0';
        }
        return Arrays.copyOf(out, n);
    }
}
