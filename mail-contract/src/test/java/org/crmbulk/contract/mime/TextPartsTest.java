package org.crmbulk.contract.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import org.junit.jupiter.api.Test;

import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

/** The one-pass text parts write exactly the bytes Jakarta Mail's {@code setText} parts write, whatever the text. */
class TextPartsTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    /** The part's bytes as a message carrying it writes them (headers completed by saveChanges, as when sending). */
    private static byte[] written(MimeBodyPart part) throws Exception {
        MimeMessage m = new MimeMessage(SESSION);
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(part);
        m.setContent(mixed);
        m.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        part.writeTo(out);
        return out.toByteArray();
    }

    private static void assertSameBytes(String text, String subtype) throws Exception {
        MimeBodyPart theirs = new MimeBodyPart();
        theirs.setText(text, "UTF-8", subtype);
        byte[] expected = written(theirs);
        byte[] actual = written(TextParts.part(text, subtype));
        assertThat(new String(actual, StandardCharsets.ISO_8859_1)).as("text/%s of %s", subtype, printable(text))
                .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
    }

    private static String printable(String text) {
        String shown = text.length() > 200 ? text.substring(0, 200) + "…(" + text.length() + ")" : text;
        return shown.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    @Test
    void the_edges_of_the_encoding_come_out_as_jakarta_mail_writes_them() throws Exception {
        List<String> texts = new ArrayList<>(List.of("", " ", "  ", "a", "=", "a ", "a \n", "a \r\nb", "a\tb \t\n", " \r", "\r", "\n", "\r\n",
                "\n\r", "\r\r\n", "Dobrý den,\nžluťoučký kůň úpěl ďábelské ódy.\n", "konec mezerou ", "x".repeat(75), "x".repeat(76),
                "x".repeat(77), "x".repeat(74) + "é", "x".repeat(74) + " ", "x".repeat(75) + " ", "x".repeat(74) + " \n", "x".repeat(998),
                "x".repeat(999), "x".repeat(998) + "\r\n" + "y".repeat(998), "x".repeat(2500), "a=b=c\u0001\u007f", "tab\there",
                "😀 emoji", "日本語のテキストとascii", "<p>Dobrý&nbsp;den</p>\n<a href=\"https://example.cz/?a=1&b=2\">odkaz</a>",
                "ascii only\nwith lines\n", "\u0000nul", "surrogate \ud800 alone", "=".repeat(40), " ".repeat(100) + "x"));
        for (String text : texts) {
            assertSameBytes(text, "plain");
            assertSameBytes(text, "html");
        }
    }

    @Test
    void thousands_of_random_texts_of_every_kind_of_character_come_out_the_same() throws Exception {
        String[] pieces = {"a", "Z", "0", " ", "  ", "\t", "\r", "\n", "\r\n", "=", ".", "..", "é", "ř", "Ž", "€", "😀", "\u0001", "\u007f",
            "日", "ш", "x".repeat(70), "word ", "=\r\n"};
        Random random = new Random(20261202);
        for (int i = 0; i < 3000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(i % 10 == 0 ? 400 : 60);
            for (int j = 0; j < length; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            assertSameBytes(text.toString(), i % 2 == 0 ? "plain" : "html");
        }
    }

    @Test
    void quoted_printable_decodes_back_to_the_text() throws Exception {
        String text = "Příliš žluťoučký kůň úpěl ďábelské ódy = " + "dlouhý řádek ".repeat(20) + " \nkonec ";
        MimeBodyPart part = TextParts.part(text, "plain");
        assertThat(part.getEncoding()).isEqualTo("quoted-printable");
        assertThat(new MimeBodyPart(new ByteArrayInputStream(written(part))).getContent()).isEqualTo(text.replace("\n", "\r\n"));
    }
}
