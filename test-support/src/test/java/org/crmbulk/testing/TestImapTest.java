package org.crmbulk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.Test;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

class TestImapTest {

    /** The bounce poller moves reports out of INBOX over IMAP while a test reads the folders: each read is a consistent list. */
    @Test
    void a_folder_can_be_read_while_an_imap_client_moves_its_messages_away() throws Exception {
        int reports = 3000;
        try (TestImap imap = TestImap.start()) {
            for (int i = 0; i < reports; i++) {
                imap.deliver(("From: mailer-daemon@example.net\r\nTo: bounces@bounces.shop.example.cz\r\nSubject: report " + i
                        + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            CompletableFuture<Void> poller = CompletableFuture.runAsync(() -> moveAllToProcessed(imap.port()));
            int midway = 0;
            int inbox = reports;
            int processed = 0;
            while (!poller.isDone()) {
                int nowInbox = imap.folder("INBOX").size();
                int nowProcessed = imap.folder("Processed").size();
                assertThat(nowInbox).as("INBOX only shrinks").isLessThanOrEqualTo(inbox);
                assertThat(nowProcessed).as("Processed only grows").isGreaterThanOrEqualTo(processed);
                inbox = nowInbox;
                processed = nowProcessed;
                midway += nowProcessed > 0 && nowProcessed < reports ? 1 : 0;
            }
            poller.join();
            assertThat(imap.folder("INBOX")).isEmpty();
            assertThat(imap.folder("Processed")).hasSize(reports);
            assertThat(midway).as("reads while the moves were under way").isPositive();
        }
    }

    private static void moveAllToProcessed(int port) {
        Properties props = new Properties();
        props.put("mail.imap.host", "127.0.0.1");
        props.put("mail.imap.port", String.valueOf(port));
        try (Store store = Session.getInstance(props).getStore("imap")) {
            store.connect(TestImap.USER, TestImap.PASSWORD);
            Folder processed = store.getFolder("Processed");
            processed.create(Folder.HOLDS_MESSAGES);
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] all = inbox.getMessages();
            for (int from = 0; from < all.length; from += 100) { // a hundred per MOVE: GreenMail answers each command in ~45 ms
                inbox.moveMessages(java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + 100)), processed);
            }
            inbox.close(true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
