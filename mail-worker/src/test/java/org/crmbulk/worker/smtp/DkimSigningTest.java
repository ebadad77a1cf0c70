package org.crmbulk.worker.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.testing.DkimVerifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import jakarta.mail.Session;

/** Signatures that dkimpy (python3-dkim) verifies, over the messages the worker composes, attachments and Czech included. */
class DkimSigningTest {

    @TempDir
    static Path dir;

    static DkimSigning signing;
    static DkimSigning.Key key;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path pem = dir.resolve("example.cz.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                rsa.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        signing = new DkimSigning(DkimSigning.parse("Example.CZ:s2026:" + pem));
        key = signing.keys().get("example.cz");
    }

    private static List<ComposedMessage.Segment> composed(String from, List<MimeBodies.Attachment> attachments) throws Exception {
        Map<String, String> headers = Map.of("List-Unsubscribe", // folded, as TemplateContent writes it with a mailto: entry
                "<https://crm.example.cz/u/k1.AAAA>,\r\n <mailto:bounces+unsubscribe-00000000000000070123456789abcdef0123@bounces.example.cz?subject=unsubscribe>",
                "List-Unsubscribe-Post", "List-Unsubscribe=One-Click", "List-Id", "=?UTF-8?Q?Jarn=C3=AD_akce?= <ba7.example.cz>"); // as Contents.listId writes it
        MailMessage mail = new MailMessage(new MailMessage.Mailbox(from, "Obchod Žluťoučký"), "reply@example.cz",
                List.of(new MailMessage.Mailbox("jana.novakova@example.org", "Jana Nováková")), List.of(MailMessage.Mailbox.of("cc@example.org")),
                "Příliš žluťoučký kůň úpěl ďábelské ódy — " + "dlouhý předmět ".repeat(6), "Dobrý den,\r\n\r\n.tečka na začátku řádku  \r\n",
                "<html><body><p>Dobrý den, <b>Jano</b></p></body></html>", attachments, "<1.l7.abc@example.cz>", headers);
        return ComposedMessage.of(mail, Session.getInstance(new Properties())); // attachments as shared segments, as the worker signs them
    }

    private static byte[] signed(List<ComposedMessage.Segment> message, String from) {
        return joined(signing.signature(message, from), message);
    }

    private static byte[] joined(byte[] signature, List<ComposedMessage.Segment> message) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(signature);
        message.forEach(s -> all.writeBytes(s.bytes()));
        return all.toByteArray();
    }

    @Test
    void a_campaign_message_with_an_attachment_and_a_czech_subject_verifies_and_a_changed_one_does_not() throws Exception {
        byte[] pdf = new byte[50_000];
        new java.util.Random(7).nextBytes(pdf);
        byte[] message = signed(composed("obchod@example.cz", List.of(new MimeBodies.Attachment("nabídka.pdf", "application/pdf", pdf))),
                "obchod@example.cz");
        String text = new String(message, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("DKIM-Signature:").contains("d=example.cz").contains("s=s2026").contains("c=relaxed/relaxed")
                .contains("h=from:to:cc:reply-to:subject:date:message-id:mime-version:content-type:list-unsubscribe:"
                        + "list-unsubscribe-post:list-id");
        assertThat(text.lines()).allSatisfy(line -> assertThat(line.length()).isLessThan(998));
        DkimVerifier.Verdict verdict = DkimVerifier.verify(message, key.dnsName(), key.txtRecord());
        assertThat(verdict.valid()).as(verdict.log()).isTrue();

        byte[] changedBody = text.replace("Dobr", "Zlob").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DkimVerifier.verify(changedBody, key.dnsName(), key.txtRecord()).valid()).isFalse();
        byte[] changedHeader = text.replace("List-Unsubscribe: <https://crm.example.cz/u/k1.AAAA>",
                "List-Unsubscribe: <https://evil.example/u/k1.AAAA>").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(DkimVerifier.verify(changedHeader, key.dnsName(), key.txtRecord()).valid()).isFalse();
    }

    @Test
    void a_subdomain_is_signed_with_its_parent_domains_key_and_a_domain_without_one_goes_unsigned() throws Exception {
        byte[] sub = signed(composed("news@mail.example.cz", List.of()), "news@mail.example.cz");
        assertThat(new String(sub, StandardCharsets.ISO_8859_1)).contains("d=example.cz");
        assertThat(DkimVerifier.verify(sub, key.dnsName(), key.txtRecord()).valid()).isTrue();
        assertThat(signing.signature(composed("x@elsewhere.example", List.of()), "x@elsewhere.example")).isEmpty();
    }

    @Test
    void a_message_with_an_empty_body_verifies_too() throws Exception {
        MailMessage mail = new MailMessage(new MailMessage.Mailbox("crm@example.cz", null), null, List.of(MailMessage.Mailbox.of("a@example.org")),
                List.of(), "Porada", "", null, List.of(), "<2.a1.abc@example.cz>", Map.of());
        byte[] message = signed(ComposedMessage.of(mail, Session.getInstance(new Properties())), "crm@example.cz");
        DkimVerifier.Verdict verdict = DkimVerifier.verify(message, key.dnsName(), key.txtRecord());
        assertThat(verdict.valid()).as(verdict.log()).isTrue();
    }

    @Test
    void an_ed25519_key_signs_ed25519_sha256_which_dkimpy_verifies_with_the_record_printed_for_it() throws Exception {
        KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
        java.security.KeyPair pair = ed.generateKeyPair();
        Path pem = dir.resolve("ed.example.cz.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        DkimSigning edSigning = new DkimSigning(DkimSigning.parse("ed.example.cz:ed2026:" + pem));
        DkimSigning.Key edKey = edSigning.keys().get("ed.example.cz");
        byte[] spki = pair.getPublic().getEncoded();
        assertThat(edKey.txtRecord()).isEqualTo("v=DKIM1; k=ed25519; p="
                + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length)));

        byte[] pdf = new byte[20_000];
        new java.util.Random(9).nextBytes(pdf);
        List<ComposedMessage.Segment> message = composed("obchod@ed.example.cz", List.of(new MimeBodies.Attachment("ceník.pdf", "application/pdf", pdf)));
        byte[] all = joined(edSigning.signature(message, "obchod@ed.example.cz"), message);
        String text = new String(all, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("DKIM-Signature:").contains("a=ed25519-sha256").contains("c=relaxed/relaxed").contains("d=ed.example.cz");
        DkimVerifier.Verdict verdict = DkimVerifier.verify(all, edKey.dnsName(), edKey.txtRecord());
        assertThat(verdict.valid()).as(verdict.log()).isTrue();
        assertThat(DkimVerifier.verify(text.replace("Dobr", "Zlob").getBytes(StandardCharsets.ISO_8859_1), edKey.dnsName(),
                edKey.txtRecord()).valid()).isFalse();
    }

    @Test
    void the_txt_record_publishes_the_public_half_and_a_bad_key_is_refused_by_name() throws Exception {
        assertThat(key.dnsName()).isEqualTo("s2026._domainkey.example.cz");
        assertThat(key.txtRecord()).matches("v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{390,}");
        Path notAKey = dir.resolve("bad.pem");
        Files.writeString(notAKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DkimSigning.parse("bad.example:s1:" + notAKey)).hasMessageContaining("not a PKCS#8 PEM private key");
        assertThatThrownBy(() -> DkimSigning.parse("bad.example:" + notAKey)).hasMessageContaining("<domain>:<selector>:<PEM file>");
        assertThatThrownBy(() -> DkimSigning.parse("bad.example:s1:/nonexistent.pem")).hasMessageContaining("cannot read");
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        Path ecKey = dir.resolve("ec.pem");
        Files.writeString(ecKey, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                ec.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> DkimSigning.parse("ec.example:s1:" + ecKey)).hasMessageContaining("neither an RSA nor an Ed25519 private key");
    }
}
