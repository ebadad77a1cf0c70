package org.crmbulk.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.crmbulk.testing.DkimVerifier;
import org.crmbulk.testing.ScriptedSmtpRelay;
import org.eclipse.angus.mail.smtp.SMTPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;

/**
 * Every message the worker sends is DKIM-signed with its From domain's key: a campaign with an attachment, a Czech
 * subject and lines that start with a dot, a test send and an activity's mail task, each taken from the relay's record
 * of its DATA bytes and verified by dkimpy against the TXT record the worker prints for the DNS. The bytes on the wire
 * (written in bulk, the attachment prepared once) are exactly those Angus's own DATA stream writes for the message.
 */
class DkimSystemTest {

    private ScriptedSmtpRelay relay;

    @AfterEach
    void restoreTheWorker() throws Exception {
        Stack.shared().restoreWorker();
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void campaign_test_send_and_mail_task_messages_all_verify_with_the_published_record() throws Exception {
        Stack stack = Stack.shared();
        Path dir = Files.createTempDirectory("dkim");
        KeyPair campaign = pem(dir.resolve("example.cz.pem"));
        KeyPair activities = pem(dir.resolve("system-test.example.pem"));
        relay = new ScriptedSmtpRelay();
        stack.replaceWorker(Map.of("CRM_SMTP_PORT", String.valueOf(relay.port()), "CRM_DKIM_KEYS", "example.cz:sys:"
                + dir.resolve("example.cz.pem") + ",system-test.example:act:" + dir.resolve("system-test.example.pem")));
        String campaignTxt = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(campaign.getPublic().getEncoded());
        String activityTxt = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(activities.getPublic().getEncoded());
        assertThat(Files.readString(stack.worker.logFile())).as("the worker prints what to publish")
                .contains("publish sys._domainkey.example.cz TXT \\\"" + campaignTxt + "\\\"");

        String p = "dkim" + UUID.randomUUID().toString().substring(0, 6);
        long list = SystemApi.importedList("DKIM", p + "-", 3);
        long action = given().contentType(ContentType.JSON).body(Map.of("name", "Podzimní akce", "from", "obchod@example.cz",
                "subject", "Příliš žluťoučký kůň, {contact.firstName}", "textBody", "Dobrý den {contact.firstName},\n.nabídka v příloze\n.\n..a tečky.",
                "htmlBody", "<html><body><p>Dobrý den <b>{contact.firstName}</b></p></body></html>"))
                .post("/api/v1/bulk-actions").then().statusCode(201).extract().jsonPath().getLong("id");
        byte[] pdf = new byte[40_000];
        new java.util.Random(3).nextBytes(pdf);
        given().multiPart("file", "ceník.pdf", pdf, "application/pdf").post("/api/v1/bulk-actions/{id}/attachments", action).then()
                .statusCode(201);
        assertThat(SystemApi.awaitFinal(SystemApi.startLaunch(action, list), Duration.ofSeconds(60)).getInt("counters.sent")).isEqualTo(3);
        String testSend = given().contentType(ContentType.JSON).body(Map.of("addresses", List.of(p + "-test@example.cz")))
                .post("/api/v1/bulk-actions/{id}/test-sends", action).then().statusCode(202).extract().header("Location");
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(testSend).then().extract().path("status")));
        String job = SystemApi.runParticipantsTask(SystemApi.meetingWith(List.of(p + "-guest@example.cz")));
        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(given().get(job).then().extract().path("status")));

        List<byte[]> ours = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ours.clear();
            for (ScriptedSmtpRelay.Transaction t : relay.transactions()) {
                if (t.data() != null && new String(t.data(), StandardCharsets.ISO_8859_1).contains(p + "-")) {
                    byte[] raw = t.message();
                    assertThat(angusDataStream(raw)).as("the wire bytes are what Angus's DATA stream writes for the message")
                            .isEqualTo(t.data());
                    ours.add(raw);
                }
            }
            return ours.size() == 5;
        });
        assertThat(ours).filteredOn(raw -> new String(raw, StandardCharsets.ISO_8859_1).contains("\r\n.nab")).hasSize(4); // the campaign and its test send
        for (byte[] raw : ours) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            boolean fromActivities = text.contains("d=system-test.example");
            DkimVerifier.Verdict verdict = fromActivities ? DkimVerifier.verify(raw, "act._domainkey.system-test.example", activityTxt)
                    : DkimVerifier.verify(raw, "sys._domainkey.example.cz", campaignTxt);
            assertThat(verdict.valid()).as(verdict.log() + "\n" + text.substring(0, Math.min(text.length(), 3000))).isTrue();
        }
        assertThat(ours).filteredOn(raw -> new String(raw, StandardCharsets.ISO_8859_1).contains("d=system-test.example")).hasSize(1);
    }

    private static byte[] angusDataStream(byte[] message) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SMTPOutputStream data = new SMTPOutputStream(out);
        data.write(message);
        data.ensureAtBOL();
        return out.toByteArray();
    }

    private static KeyPair pem(Path file) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair pair = rsa.generateKeyPair();
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        return pair;
    }
}
