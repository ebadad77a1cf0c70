package org.crmbulk.worker.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.junit.jupiter.api.Test;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

/** The bulk wire form is byte for byte what Angus's own DATA stream writes, for any bytes split anywhere. */
class WireFormTest {

    /** What Angus writes between DATA and the final dot for these segments written one after another. */
    static byte[] angus(List<ComposedMessage.Segment> segments) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SMTPOutputStream data = new SMTPOutputStream(out);
        for (ComposedMessage.Segment s : segments) {
            data.write(s.bytes());
        }
        data.ensureAtBOL(); // what SMTPTransport.finishData does before the dot
        return out.toByteArray();
    }

    static byte[] joined(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static String visible(List<ComposedMessage.Segment> segments) {
        StringBuilder s = new StringBuilder();
        for (ComposedMessage.Segment seg : segments) {
            s.append(seg.shared() ? "[shared " : "[").append(new String(seg.bytes()).replace("\r", "\\r").replace("\n", "\\n")).append("]");
        }
        return s.toString();
    }

    @Test
    void dots_bare_line_ends_and_segment_boundaries_anywhere_come_out_as_angus_writes_them() throws IOException {
        Random random = new Random(2026);
        byte[] alphabet = {'.', '\r', '\n', 'a', ' ', '.', '\r', '\n', 'Z'};
        WireForm wire = new WireForm();
        List<byte[]> sharedBodies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sharedBodies.add(randomBytes(random, alphabet, 1 + random.nextInt(30)));
        }
        for (int run = 0; run < 50_000; run++) {
            List<ComposedMessage.Segment> segments = new ArrayList<>();
            for (int n = random.nextInt(6); n >= 0; n--) {
                segments.add(random.nextInt(3) == 0 ? new ComposedMessage.Segment(sharedBodies.get(random.nextInt(sharedBodies.size())), true)
                        : new ComposedMessage.Segment(randomBytes(random, alphabet, random.nextInt(25)), false));
            }
            assertThat(joined(wire.of(segments))).as(visible(segments)).isEqualTo(angus(segments));
        }
    }

    private static byte[] randomBytes(Random random, byte[] alphabet, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return b;
    }

    @Test
    void a_composed_campaign_message_is_what_mime_message_writes_and_its_attachment_goes_to_the_wire_by_reference() throws Exception {
        Session session = Session.getInstance(new Properties());
        byte[] pdf = new byte[60_000];
        new Random(3).nextBytes(pdf);
        MimeBodies.Attachment attachment = new MimeBodies.Attachment("nabídka.pdf", "application/pdf", pdf);
        String text = "Dobrý den,\r\n.tečka na začátku řádku\r\n.\r\n..dvě\r\nkonec bez zalomení";
        MailMessage mail = new MailMessage(new MailMessage.Mailbox("obchod@example.cz", "Obchod Žluťoučký"), "reply@example.cz",
                List.of(new MailMessage.Mailbox("jana@example.org", "Jana Nováková")), List.of(), "Příliš žluťoučký kůň", text,
                "<p>.Dobrý den</p>\n.<b>tečka</b>", List.of(attachment), "<1.l7.abc@example.cz>",
                Map.of("List-Unsubscribe", "<https://crm.example.cz/u/k1.AAAA>,\r\n <mailto:u@bounces.example.cz?subject=unsubscribe>"));
        MimeMessage message = mail.toMimeMessage(session);
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        message.writeTo(plain);

        List<ComposedMessage.Segment> segments = ComposedMessage.of(message);
        assertThat(joined(segments.stream().map(ComposedMessage.Segment::bytes).toList())).isEqualTo(plain.toByteArray());
        List<ComposedMessage.Segment> shared = segments.stream().filter(ComposedMessage.Segment::shared).toList();
        assertThat(shared).hasSize(1);
        assertThat(shared.get(0).bytes().length).isGreaterThan(80_000); // the base64 body, not a copy of it
        // Another recipient's message carries the same array, and its wire form is that array, not a copy.
        List<ComposedMessage.Segment> other = ComposedMessage.of(new MailMessage(mail.from(), null, List.of(MailMessage.Mailbox.of("petr@example.org")),
                List.of(), "Jiný", "Jiný text", null, List.of(attachment), "<2.l7.abc@example.cz>", Map.of()), session);
        byte[] body = other.stream().filter(ComposedMessage.Segment::shared).findFirst().orElseThrow().bytes();
        assertThat(body).isSameAs(shared.get(0).bytes());

        WireForm wire = new WireForm();
        assertThat(joined(wire.of(segments))).isEqualTo(angus(segments));
        assertThat(wire.of(other)).anySatisfy(part -> assertThat(part).isSameAs(body));
        assertThat(joined(wire.of(other))).isEqualTo(angus(other));
    }
}
