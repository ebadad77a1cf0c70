package org.crmbulk.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.crmbulk.contract.SendJobV1;
import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.testing.BounceMailbox;
import org.crmbulk.testing.Mailbox;
import org.crmbulk.worker.bounce.InboundReports;
import org.crmbulk.worker.bounce.MailboxPoller;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;

/**
 * Bounces and complaints coming back through the bounce mailbox (GreenMail IMAP), for messages the worker really sent:
 * each linked to its delivery by the VERP return path the message went out with, or by its Message-ID.
 */
@QuarkusTest
class BounceIntakeTest {

    @Inject
    InboundReports reports;

    @BeforeEach
    void empty() {
        Mailbox.purge();
        BounceMailbox.purge();
    }

    /** A campaign sent to these addresses, finished; its deliveries by address with the return path each went out with. */
    private record Sent(long launch, Map<String, Map<String, Object>> deliveries, Map<String, String> returnPaths) {
    }

    private Sent campaign(String tag, String... addresses) throws Exception {
        long[] contacts = new long[addresses.length];
        for (int i = 0; i < addresses.length; i++) {
            contacts[i] = Fixtures.contact(addresses[i], "Name" + i, false);
        }
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Offer " + tag, "Body"), Fixtures.list(tag, contacts));
        Fixtures.publish(SendJobV1.launch(launch));
        LaunchDeliveryTest.awaitStatus(launch, "COMPLETED");
        Map<String, Map<String, Object>> byAddress = new java.util.HashMap<>();
        Fixtures.deliveries(launch).forEach(d -> byAddress.put((String) d.get("email"), d));
        Map<String, String> returnPaths = new java.util.HashMap<>();
        for (MimeMessage m : Mailbox.messages()) {
            returnPaths.put(m.getAllRecipients()[0].toString(), m.getHeader("Return-Path")[0].replaceAll("[<>]", ""));
        }
        return new Sent(launch, byAddress, returnPaths);
    }

    private static byte[] report(String fixture, String recipient, String returnPath, String messageId) throws Exception {
        return BounceCorpus.fixture(fixture, recipient, returnPath, messageId);
    }

    private static void awaitProcessed(int reports) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> Fixtures.rows(
                "SELECT 1 FROM inbound_report WHERE processed_at IS NOT NULL").size() >= reports);
    }

    private static int processedReports() throws Exception {
        return Fixtures.rows("SELECT 1 FROM inbound_report WHERE processed_at IS NOT NULL").size();
    }

    @Test
    void every_message_goes_out_with_its_own_signed_return_path_on_the_bounce_domain() throws Exception {
        Sent sent = campaign("verp", "a@verp.example.cz", "b@verp.example.cz");

        assertThat(sent.returnPaths()).hasSize(2);
        sent.returnPaths().forEach((address, path) -> assertThat(path).matches("bounces\\+[0-9a-f]{36}@bounces\\.shop\\.example\\.cz"));
        assertThat(sent.returnPaths().values()).doesNotHaveDuplicates();
    }

    @Test
    void a_hard_bounce_in_the_mailbox_marks_the_delivery_counts_it_suppresses_the_address_and_is_moved_away() throws Exception {
        Sent sent = campaign("hard", "gone@hard.example.cz", "fine@hard.example.cz");
        int before = processedReports();
        Map<String, Object> gone = sent.deliveries().get("gone@hard.example.cz");

        BounceMailbox.deliver(report("postfix-dsn.eml", "gone@hard.example.cz", sent.returnPaths().get("gone@hard.example.cz"),
                "<not-ours@elsewhere.example>"));

        awaitProcessed(before + 1);
        Map<String, Object> d = Fixtures.rows("SELECT * FROM delivery WHERE id = ?", gone.get("id")).get(0);
        assertThat(d.get("status")).as("it was sent; the bounce is its later outcome").isEqualTo("SENT");
        assertThat(d.get("bounce")).isEqualTo("HARD");
        assertThat((String) d.get("bounce_diagnostic")).contains("5.1.1").contains("User unknown");
        assertThat(Fixtures.launch(sent.launch()).get("bounced")).isEqualTo(1);
        LaunchDeliveryTest.assertCountersMatchRows(sent.launch());
        assertThat(Fixtures.rows("SELECT reason, delivery_id FROM suppression WHERE address = 'gone@hard.example.cz'"))
                .singleElement().satisfies(s -> {
                    assertThat(s.get("reason")).isEqualTo("HARD_BOUNCE");
                    assertThat(s.get("delivery_id")).isEqualTo(gone.get("id"));
                });
        assertThat(Fixtures.rows("SELECT 1 FROM consent_event WHERE email = 'gone@hard.example.cz' AND action = 'SUPPRESSED'")).hasSize(1);
        assertThat(Fixtures.rows("SELECT payload FROM outbox WHERE topic = 'crm.consent' AND payload LIKE ?", "%\"deliveryId\":" + gone.get("id") + ",%"))
                .as("the consent event, for api-service's relay to publish").singleElement()
                .satisfies(r -> assertThat((String) r.get("payload")).contains("\"type\":\"address.suppressed\"").contains("HARD_BOUNCE")
                        .doesNotContain("gone@hard.example.cz"));
        assertThat(Fixtures.rows("SELECT 1 FROM suppression WHERE address = 'fine@hard.example.cz'")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> BounceMailbox.folder("INBOX").isEmpty());
        assertThat(BounceMailbox.folder("Processed")).hasSize(1);
    }

    @Test
    void without_a_return_path_a_bounce_is_linked_by_the_message_id_it_returns() throws Exception {
        Sent sent = campaign("mid", "nobody@mid.example.cz");
        int before = processedReports();
        Map<String, Object> d = sent.deliveries().get("nobody@mid.example.cz");

        BounceMailbox.deliver(report("qmail.eml", "nobody@mid.example.cz", "news@shop.example.cz", (String) d.get("message_id")));

        awaitProcessed(before + 1);
        assertThat(Fixtures.rows("SELECT bounce FROM delivery WHERE id = ?", d.get("id")).get(0).get("bounce")).isEqualTo("HARD");
    }

    @Test
    void a_bounce_of_one_recipient_of_a_bulk_message_is_linked_to_that_recipients_delivery_not_the_messages_first() throws Exception {
        long job = Fixtures.mailJob("BULK", "R", "Agenda", "owner@bulk.example.cz");
        Fixtures.update("INSERT INTO delivery (mail_job_id, email, status) VALUES (?, 'first@bulk.example.cz', 'PENDING'), "
                + "(?, 'second@bulk.example.cz', 'PENDING'), (?, 'third@bulk.example.cz', 'PENDING')", job, job, job);
        Fixtures.publish(SendJobV1.activityMail(job));
        await().atMost(Duration.ofSeconds(20)).until(() -> "DONE".equals(Fixtures.rows("SELECT status FROM mail_job WHERE id = ?", job).get(0)
                .get("status")));
        List<Map<String, Object>> rows = Fixtures.rows("SELECT id, email, message_id FROM delivery WHERE mail_job_id = ? ORDER BY id", job);
        assertThat(rows).extracting(r -> r.get("message_id")).as("one message to all three").containsOnly(rows.get(0).get("message_id"));
        String returnPath = Mailbox.messages().get(0).getHeader("Return-Path")[0].replaceAll("[<>]", "");
        int before = processedReports();

        BounceMailbox.deliver(report("office365-dsn.eml", "second@bulk.example.cz", returnPath, "<x@y.example>"));

        awaitProcessed(before + 1);
        assertThat(Fixtures.rows("SELECT email, bounce FROM delivery WHERE mail_job_id = ? ORDER BY id", job))
                .extracting(r -> r.get("email") + ":" + r.get("bounce"))
                .containsExactly("first@bulk.example.cz:null", "second@bulk.example.cz:HARD", "third@bulk.example.cz:null");
    }

    @Test
    void a_complaint_with_the_recipient_redacted_is_linked_by_its_return_path_and_suppresses_the_address() throws Exception {
        Sent sent = campaign("arf", "angry@arf.example.cz", "calm@arf.example.cz");
        int before = processedReports();
        Map<String, Object> angry = sent.deliveries().get("angry@arf.example.cz");

        BounceMailbox.deliver(report("arf-microsoft-jmrp.eml", "redacted", sent.returnPaths().get("angry@arf.example.cz"), "<other@x.example>"));

        awaitProcessed(before + 1);
        assertThat(Fixtures.rows("SELECT complained_at FROM delivery WHERE id = ?", angry.get("id")).get(0).get("complained_at")).isNotNull();
        assertThat(Fixtures.launch(sent.launch()).get("complained")).isEqualTo(1);
        LaunchDeliveryTest.assertCountersMatchRows(sent.launch());
        assertThat(Fixtures.rows("SELECT reason FROM suppression WHERE address = 'angry@arf.example.cz'"))
                .extracting(r -> r.get("reason")).containsExactly("COMPLAINT");
    }

    @Test
    void one_complaint_in_three_hundred_sent_pauses_a_running_launch_with_the_reason() throws Exception {
        long launch = Fixtures.queuedLaunch(Fixtures.bulkAction("Busy", "Body"), Fixtures.list("busy"));
        // A launch another worker drives (its lease is valid), 300 messages out.
        Fixtures.update("UPDATE launch SET status = 'RUNNING', started_at = now(), total = 300, sent = 300 WHERE id = ?", launch);
        Fixtures.update("INSERT INTO work_lease (work_kind, work_id, owner, until) VALUES ('LAUNCH', ?, 'another-worker', now() + interval '1 hour')",
                launch);
        Fixtures.update("INSERT INTO delivery (launch_id, email, status, message_id, sent_at) SELECT ?, 'busy' || g || '@busy.example.cz', "
                + "'SENT', '<busy' || g || '.' || ? || '@shop.example.cz>', now() FROM generate_series(1, 300) g", launch, launch);

        InboundReports.Processed p = reports.receiveAndProcess(report("arf-yahoo.eml", "busy7@busy.example.cz", "news@shop.example.cz",
                "<busy7." + launch + "@shop.example.cz>"), InboundReports.SOURCE_IMAP);

        assertThat(p.linked()).isEqualTo(1);
        Map<String, Object> l = Fixtures.launch(launch);
        assertThat(l.get("status")).isEqualTo("PAUSED");
        assertThat((String) l.get("pause_reason")).isEqualTo("complaints are 0.33 % of 300 sent (more than 0.3 %)");
        assertThat(l.get("complained")).isEqualTo(1);
        LaunchDeliveryTest.assertCountersMatchRows(launch);
        Fixtures.update("DELETE FROM work_lease WHERE work_kind = 'LAUNCH' AND work_id = ?", launch);
    }

    /** The mailto: addresses each recipient's message offered in its List-Unsubscribe header. */
    private static Map<String, String> mailtoAddresses() throws Exception {
        Map<String, String> found = new java.util.HashMap<>();
        for (MimeMessage m : Mailbox.messages()) {
            String header = jakarta.mail.internet.MimeUtility.unfold(m.getHeader("List-Unsubscribe", null));
            java.util.regex.Matcher mailto = java.util.regex.Pattern.compile("<mailto:([^?>]+)\\?subject=unsubscribe>").matcher(header);
            assertThat(mailto.find()).as(header).isTrue();
            found.put(m.getAllRecipients()[0].toString(), mailto.group(1));
        }
        return found;
    }

    @Test
    void a_recipient_who_mails_the_unsubscribe_address_leaves_all_marketing_mail_once_whichever_intake_brings_it() throws Exception {
        Sent sent = campaign("mailto", "leave@mailto.example.cz", "piped@mailto.example.cz", "stay@mailto.example.cz");
        Map<String, String> mailto = mailtoAddresses();
        assertThat(mailto).hasSize(3);
        mailto.values().forEach(a -> assertThat(a).matches("bounces\\+unsubscribe-[0-9a-f]{36}@bounces\\.shop\\.example\\.cz"));
        int before = processedReports();
        byte[] gmail = BounceCorpus.fixture("unsubscribe-gmail.eml",
                Map.of("recipient", "leave@mailto.example.cz", "unsubscribeAddress", mailto.get("leave@mailto.example.cz")));
        byte[] piped = BounceCorpus.fixture("unsubscribe-piped.eml",
                Map.of("recipient", "piped@mailto.example.cz", "unsubscribeAddress", mailto.get("piped@mailto.example.cz").toUpperCase()));

        BounceMailbox.deliver(gmail); // the bounce mailbox
        Fixtures.rows("SELECT receive_report('HTTP', ?, 'mta') AS id", (Object) piped); // as the intake endpoint stores it

        awaitProcessed(before + 2);
        for (String address : List.of("leave@mailto.example.cz", "piped@mailto.example.cz")) {
            Object delivery = sent.deliveries().get(address).get("id");
            assertThat(Fixtures.rows("SELECT opted_out, opt_out_source FROM contact WHERE email = ?", address)).singleElement()
                    .satisfies(c -> assertThat(c).containsEntry("opted_out", true).containsEntry("opt_out_source", "mailto"));
            assertThat(Fixtures.rows("SELECT reason, source, list_id, delivery_id, launch_id FROM suppression WHERE address = ?", address))
                    .singleElement().satisfies(s -> assertThat(s).containsEntry("reason", "UNSUBSCRIBED").containsEntry("source", "mailto")
                            .containsEntry("list_id", null).containsEntry("delivery_id", delivery).containsEntry("launch_id", sent.launch()));
            assertThat(Fixtures.rows("SELECT action FROM consent_event WHERE email = ? AND source = 'mailto' ORDER BY id", address))
                    .extracting(r -> r.get("action")).containsExactly("SUPPRESSED", "OPT_OUT");
            assertThat(Fixtures.rows("SELECT payload FROM outbox WHERE topic = 'crm.consent' AND payload LIKE ?", "%\"deliveryId\":" + delivery + ",%"))
                    .extracting(r -> ((String) r.get("payload")).replaceAll(".*\"type\":\"([a-z.]+)\".*", "$1"))
                    .containsExactlyInAnyOrder("address.suppressed", "contact.unsubscribed");
        }
        assertThat(Fixtures.rows("SELECT kind, format, length(raw) AS kept FROM inbound_report ORDER BY id DESC LIMIT 2"))
                .as("read as requests to leave; the person's mail not kept")
                .allSatisfy(r -> assertThat(r).containsEntry("kind", "UNSUBSCRIBE").containsEntry("format", "mailto").containsEntry("kept", 0));
        assertThat(Fixtures.rows("SELECT opted_out FROM contact WHERE email = 'stay@mailto.example.cz'").get(0).get("opted_out")).isEqualTo(false);
        assertThat(Fixtures.rows("SELECT bounce, complained_at FROM delivery WHERE launch_id = ? AND (bounce IS NOT NULL OR complained_at IS NOT NULL)",
                sent.launch())).as("leaving is neither a bounce nor a complaint").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> BounceMailbox.folder("INBOX").isEmpty());
        assertThat(BounceMailbox.folder("Processed")).hasSize(1);

        int events = Fixtures.rows("SELECT 1 FROM consent_event WHERE source = 'mailto'").size();
        BounceMailbox.deliver(gmail); // sent again: the same message is one report
        Fixtures.rows("SELECT receive_report('HTTP', ?, 'mta') AS id", (Object) piped);
        await().atMost(Duration.ofSeconds(10)).until(() -> BounceMailbox.folder("Processed").size() == 2);
        assertThat(Fixtures.rows("SELECT 1 FROM consent_event WHERE source = 'mailto'")).hasSize(events);
        assertThat(processedReports()).isEqualTo(before + 2);
    }

    @Test
    void a_forged_unsubscribe_address_changes_nothing_and_a_bounce_quoting_our_list_unsubscribe_header_stays_a_bounce() throws Exception {
        Sent sent = campaign("forged", "kept@forged.example.cz", "gone@forged.example.cz");
        Map<String, String> mailto = mailtoAddresses();
        int before = processedReports();
        String real = mailto.get("kept@forged.example.cz");
        String forged = real.substring(0, real.indexOf('@') - 1) + (real.charAt(real.indexOf('@') - 1) == '0' ? '1' : '0') + real.substring(real.indexOf('@'));
        BounceMailbox.deliver(BounceCorpus.fixture("unsubscribe-gmail.eml", Map.of("recipient", "kept@forged.example.cz", "unsubscribeAddress", forged)));
        // A bounce whose returned headers carry the message's List-Unsubscribe, mailto: included
        Map<String, Object> gone = sent.deliveries().get("gone@forged.example.cz");
        String bounce = new String(report("postfix-dsn.eml", "gone@forged.example.cz", sent.returnPaths().get("gone@forged.example.cz"),
                (String) gone.get("message_id")), java.nio.charset.StandardCharsets.UTF_8).replace("MIME-Version: 1.0\r\n\r\n--",
                "MIME-Version: 1.0\r\nList-Unsubscribe: <https://crm.example/u/x>,\r\n <mailto:" + mailto.get("gone@forged.example.cz")
                        + "?subject=unsubscribe>\r\n\r\n--");
        assertThat(bounce).contains("mailto:bounces+unsubscribe-");
        BounceMailbox.deliver(bounce.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        awaitProcessed(before + 2);
        assertThat(Fixtures.rows("SELECT kind FROM inbound_report ORDER BY id DESC LIMIT 2")).extracting(r -> r.get("kind"))
                .containsExactlyInAnyOrder("UNCLASSIFIED", "BOUNCE");
        assertThat(Fixtures.rows("SELECT 1 FROM contact WHERE email LIKE '%@forged.example.cz' AND opted_out")).isEmpty();
        assertThat(Fixtures.rows("SELECT address, reason FROM suppression WHERE address LIKE '%@forged.example.cz'")).singleElement()
                .satisfies(s -> assertThat(s).containsEntry("address", "gone@forged.example.cz").containsEntry("reason", "HARD_BOUNCE"));
        await().atMost(Duration.ofSeconds(10)).until(() -> BounceMailbox.folder("INBOX").size() == 1
                && BounceMailbox.folder("INBOX").get(0).keywords().contains(MailboxPoller.UNCLASSIFIED_FLAG));
    }

    @Test
    void a_message_no_format_explains_is_kept_unclassified_and_left_in_the_mailbox_flagged() throws Exception {
        Sent sent = campaign("odd", "held@odd.example.cz");
        int before = processedReports();

        BounceMailbox.deliver(report("unknown-format.eml", "held@odd.example.cz", sent.returnPaths().get("held@odd.example.cz"), "<x@y.example>"));

        awaitProcessed(before + 1);
        assertThat(Fixtures.rows("SELECT kind FROM inbound_report ORDER BY id DESC LIMIT 1").get(0).get("kind")).isEqualTo("UNCLASSIFIED");
        assertThat(Fixtures.rows("SELECT bounce FROM delivery WHERE launch_id = ?", sent.launch()).get(0).get("bounce")).isNull();
        assertThat(Fixtures.rows("SELECT 1 FROM suppression WHERE address = 'held@odd.example.cz'")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !BounceMailbox.folder("INBOX").isEmpty()
                && BounceMailbox.folder("INBOX").get(0).keywords().contains(MailboxPoller.UNCLASSIFIED_FLAG));
        Thread.sleep(2_500); // two more polls: still there, not read again
        assertThat(BounceMailbox.folder("INBOX")).hasSize(1);
        assertThat(Fixtures.rows("SELECT 1 FROM inbound_report WHERE processed_at IS NOT NULL")).hasSize(before + 1);
    }

    @Test
    void a_report_processed_by_a_poller_that_died_before_moving_it_is_moved_by_the_next_without_counting_it_again() throws Exception {
        Sent sent = campaign("twice", "twice@twice.example.cz");
        byte[] raw = report("gmail-dsn.eml", "twice@twice.example.cz", sent.returnPaths().get("twice@twice.example.cz"), "<z@z.example>");
        // What a poller killed right after its transaction leaves: the report applied, the message still in the INBOX.
        InboundReports.Processed first = reports.receiveAndProcess(imapCopy(raw), InboundReports.SOURCE_IMAP);
        assertThat(first.linked()).isEqualTo(1);

        BounceMailbox.deliver(raw);

        await().atMost(Duration.ofSeconds(10)).until(() -> BounceMailbox.folder("INBOX").isEmpty());
        assertThat(Fixtures.rows("SELECT 1 FROM inbound_report WHERE id = ?", first.reportId())).hasSize(1);
        assertThat(Fixtures.rows("SELECT 1 FROM bounce WHERE report_id = ?", first.reportId())).as("applied once").hasSize(1);
        assertThat(Fixtures.launch(sent.launch()).get("bounced")).isEqualTo(1);
        LaunchDeliveryTest.assertCountersMatchRows(sent.launch());
    }

    /** The bytes the poller reads back from the IMAP server for a message delivered with these bytes. */
    private static byte[] imapCopy(byte[] raw) throws Exception {
        BounceMailbox.deliver(raw);
        byte[] copy = BounceMailbox.folder("INBOX").get(0).raw();
        BounceMailbox.purge();
        return copy;
    }

    @Test
    void soft_bounces_suppress_an_address_only_at_the_configured_count() throws Exception {
        Sent sent = campaign("soft", "full@soft.example.cz");
        String path = sent.returnPaths().get("full@soft.example.cz");
        int before = processedReports();
        for (int i = 1; i <= 5; i++) {
            byte[] raw = report("exchange2010-mailbox-full.eml", "full@soft.example.cz", path, "<s@s.example>");
            // Five distinct reports (another report ID each), as a server sends one per attempt.
            raw = new String(raw, StandardCharsets.UTF_8).replace("uk4P1BfXf00000001", "uk4P1BfXf0000000" + i).getBytes(StandardCharsets.UTF_8);
            BounceMailbox.deliver(raw);
            awaitProcessed(before + i);
            List<Map<String, Object>> suppressed = Fixtures.rows("SELECT reason FROM suppression WHERE address = 'full@soft.example.cz'");
            if (i < 5) {
                assertThat(suppressed).as("after %d soft bounces", i).isEmpty();
            } else {
                assertThat(suppressed).extracting(r -> r.get("reason")).containsExactly("SOFT_BOUNCES");
            }
        }
        assertThat(Fixtures.rows("SELECT bounce FROM delivery WHERE launch_id = ?", sent.launch()).get(0).get("bounce")).isEqualTo("SOFT");
        assertThat(Fixtures.launch(sent.launch()).get("bounced")).as("one delivery bounced, however often").isEqualTo(1);
    }
}
