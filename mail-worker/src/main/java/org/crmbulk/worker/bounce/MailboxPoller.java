package org.crmbulk.worker.bounce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.FlagTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

/**
 * Reads the bounce mailbox over IMAP and the reports the HTTP intake stored. One replica polls the mailbox at a time
 * (a PostgreSQL advisory lock, released by the database when its holder dies). Each message is stored and processed in
 * one transaction, then moved to the processed folder; a message no format explains is flagged and left where it is,
 * never deleted. A poller killed between the two finds the message again, and the report's digest makes it a no-op.
 */
@ApplicationScoped
public class MailboxPoller {

    private static final Logger LOG = Logger.getLogger(MailboxPoller.class);
    /** The IMAP keyword of a message no format explains: left in place for a person, not read again. */
    public static final String UNCLASSIFIED_FLAG = "crm-unclassified";
    static final long LOCK_KEY = 0x6372_6d5f_626f_756eL; // "crm_boun": the advisory lock of the one poller

    private final InboundReports reports;
    private final BounceConfig config;
    private final DataSource dataSource;

    public MailboxPoller(InboundReports reports, BounceConfig config, DataSource dataSource) {
        this.reports = reports;
        this.config = config;
        this.dataSource = dataSource;
    }

    @Scheduled(every = "${crm.bounce.poll-interval:10s}", delayed = "3s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            reports.processPending(500);
            if (config.imap().host().filter(h -> !h.isBlank()).isPresent()) {
                poll();
            }
        } catch (RuntimeException | MessagingException | IOException | SQLException e) {
            LOG.warnf("reading bounces failed, the next poll retries: %s", e.getMessage());
        }
    }

    /** One poll of the mailbox, unless another replica is polling it; returns the messages read. */
    public int poll() throws MessagingException, IOException, SQLException {
        try (Connection lock = dataSource.getConnection()) {
            if (!advisory(lock, "pg_try_advisory_lock")) {
                return 0;
            }
            try {
                return pollLocked();
            } finally {
                advisory(lock, "pg_advisory_unlock");
            }
        }
    }

    private static boolean advisory(Connection c, String function) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT " + function + "(" + LOCK_KEY + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private int pollLocked() throws MessagingException, IOException {
        BounceConfig.Imap imap = config.imap();
        String protocol = imap.tls() ? "imaps" : "imap";
        Properties p = new Properties();
        p.put("mail." + protocol + ".connectiontimeout", "10000");
        p.put("mail." + protocol + ".timeout", "30000");
        Store store = Session.getInstance(p).getStore(protocol);
        store.connect(imap.host().orElseThrow(), imap.port(), imap.username().orElse(null), imap.password().orElse(null));
        try {
            Folder inbox = store.getFolder(imap.folder());
            Folder processed = store.getFolder(imap.processedFolder());
            if (!processed.exists()) {
                processed.create(Folder.HOLDS_MESSAGES);
            }
            inbox.open(Folder.READ_WRITE);
            // MOVE (RFC 6851) is atomic: a poller killed mid-move leaves the message in one folder, never in both.
            boolean move = store instanceof IMAPStore imapStore && imapStore.hasCapability("MOVE");
            int read = 0;
            try {
                Message[] unread = inbox.search(new FlagTerm(new Flags(UNCLASSIFIED_FLAG), false));
                for (Message m : unread) {
                    if (read >= imap.batchSize()) {
                        break;
                    }
                    if (m.isSet(Flags.Flag.DELETED)) {
                        continue;
                    }
                    ByteArrayOutputStream raw = new ByteArrayOutputStream();
                    m.writeTo(raw);
                    InboundReports.Processed done;
                    try {
                        done = reports.receiveAndProcess(raw.toByteArray(), InboundReports.SOURCE_IMAP);
                    } catch (RuntimeException e) {
                        // Left unflagged in place for the next poll; the messages after it are not held up.
                        LOG.warnf("mailbox message %d: not processed, the next poll retries it: %s", m.getMessageNumber(), e.toString());
                        continue;
                    }
                    if (done.understood() && move) {
                        ((IMAPFolder) inbox).moveMessages(new Message[] {m}, processed);
                    } else if (done.understood()) {
                        inbox.copyMessages(new Message[] {m}, processed);
                        m.setFlag(Flags.Flag.DELETED, true);
                    } else {
                        m.setFlags(new Flags(UNCLASSIFIED_FLAG), true);
                        LOG.infof("report %d: no format explains it; left in %s, flagged %s", done.reportId(), imap.folder(), UNCLASSIFIED_FLAG);
                    }
                    read++;
                }
            } finally {
                inbox.close(true); // expunges only the messages copied away above (servers without MOVE)
            }
            return read;
        } finally {
            store.close();
        }
    }
}
