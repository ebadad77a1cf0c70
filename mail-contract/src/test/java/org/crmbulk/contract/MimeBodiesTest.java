package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import org.crmbulk.contract.mime.MimeBodies;
import org.junit.jupiter.api.Test;

import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

class MimeBodiesTest {

    @Test
    void attachments_keep_every_byte_even_text_with_bare_line_feeds() throws Exception {
        byte[] csv = "kód;cena\nA1;100 Kč\n".getBytes(StandardCharsets.UTF_8);
        Multipart mixed = sentAndParsed("Dobrý den", "<p>Dobrý den</p>", new MimeBodies.Attachment("ceny.csv", "text/csv", csv));
        assertThat(bytesOf(mixed.getBodyPart(1))).isEqualTo(csv);
        assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("ceny.csv");
        assertThat(((Multipart) mixed.getBodyPart(0).getContent()).getCount()).as("text and HTML alternatives").isEqualTo(2);
    }

    @Test
    void one_attachment_shared_by_many_messages_arrives_whole_in_each_with_its_non_ascii_name() throws Exception {
        byte[] pdf = new byte[50_000];
        new java.util.Random(7).nextBytes(pdf);
        MimeBodies.Attachment shared = new MimeBodies.Attachment("ceník jaro.pdf", "application/pdf", pdf);
        for (int i = 0; i < 3; i++) {
            Multipart mixed = sentAndParsed("Text " + i, null, shared);
            assertThat(bytesOf(mixed.getBodyPart(1))).isEqualTo(pdf);
            assertThat(jakarta.mail.internet.MimeUtility.decodeText(mixed.getBodyPart(1).getFileName())).isEqualTo("ceník jaro.pdf");
            assertThat(mixed.getBodyPart(1).getDisposition()).isEqualTo("attachment");
            assertThat(mixed.getBodyPart(1).getContentType()).startsWith("application/pdf");
            assertThat(mixed.getBodyPart(0).getContent()).isEqualTo("Text " + i);
        }
    }

    /** A message filled by MimeBodies, written as it would go over SMTP and parsed back. */
    private static Multipart sentAndParsed(String text, String html, MimeBodies.Attachment attachment) throws Exception {
        Session session = Session.getInstance(new Properties());
        MimeMessage m = new MimeMessage(session);
        MimeBodies.fill(m, text, html, List.of(attachment));
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.writeTo(out);
        return (Multipart) new MimeMessage(session, new ByteArrayInputStream(out.toByteArray())).getContent();
    }

    private static byte[] bytesOf(jakarta.mail.BodyPart part) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        part.getDataHandler().writeTo(bytes);
        return bytes.toByteArray();
    }

    @Test
    void a_text_only_message_without_attachments_is_a_single_part() throws Exception {
        MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
        MimeBodies.fill(m, "Ahoj", null, List.of());
        m.saveChanges();
        assertThat(m.getContentType()).startsWith("text/plain");
        assertThat(m.getContent()).isEqualTo("Ahoj");
    }
}
