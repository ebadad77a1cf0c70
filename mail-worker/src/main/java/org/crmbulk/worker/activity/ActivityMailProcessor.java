package org.crmbulk.worker.activity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.launch.JdbcLaunchStore;
import org.crmbulk.worker.metrics.MailMetrics;
import org.crmbulk.worker.metrics.MailMetrics.DeliveryOutcome;
import org.crmbulk.worker.metrics.MailMetrics.Mode;
import org.crmbulk.worker.smtp.MailTransport;
import org.crmbulk.worker.smtp.RelayRateLimiter;
import org.crmbulk.worker.smtp.SendResult;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sends the mail job of an activity's mail task. INDIVIDUAL: one message per recipient. BULK: one
 * message to all (To, and the cc group in Cc), in chunks only as large as the relay allows
 * (RFC 5321 guarantees 100 recipients per message). Each recipient's result is recorded as it
 * comes, under a lease on the job that is renewed while it is worked on, so a worker that dies mid-job
 * leaves only its last message in doubt; the job's lease lapses and the sweep finishes it.
 */
@ApplicationScoped
public class ActivityMailProcessor {

    private static final Logger LOG = Logger.getLogger(ActivityMailProcessor.class);

    @Inject
    MailMetrics metrics;

    @Inject
    DataSource dataSource;

    @Inject
    MailTransport transport;

    @Inject
    RelayRateLimiter rateLimiter;

    @Inject
    DeliveryConfig config;

    @ConfigProperty(name = "mail.delivery.max-recipients-per-message", defaultValue = "100")
    int maxRecipientsPerMessage;

    private final String owner = "activity-mail/" + UUID.randomUUID().toString().substring(0, 8);

    record Job(long id, String mode, String from, String fromName, String subject, String text, String html,
            List<MimeBodies.Attachment> attachments) {
    }

    record Recipient(long id, String email, String name, String kind, int attempts) {
        MailMessage.Mailbox mailbox() {
            return new MailMessage.Mailbox(email, name);
        }
    }

    public void process(long jobId) {
        // Each claim has its own holder, so a sweep in this same worker cannot mistake the job for its own.
        Lease lease = new Lease(jobId, owner + "/" + UUID.randomUUID().toString().substring(0, 8));
        Job job = claim(jobId, lease.holder);
        if (job == null) {
            return;
        }
        List<Recipient> pending = pending(jobId);
        String domain = job.from().substring(job.from().lastIndexOf('@') + 1);
        boolean retryLater = false;
        if ("BULK".equals(job.mode())) {
            for (int from = 0; from < pending.size(); from += maxRecipientsPerMessage) {
                List<Recipient> chunk = pending.subList(from, Math.min(pending.size(), from + maxRecipientsPerMessage));
                List<MailMessage.Mailbox> to = chunk.stream().filter(r -> "TO".equals(r.kind())).map(Recipient::mailbox).toList();
                List<MailMessage.Mailbox> cc = chunk.stream().filter(r -> "CC".equals(r.kind())).map(Recipient::mailbox).toList();
                if (to.isEmpty()) {
                    to = cc;
                    cc = List.of();
                }
                String messageId = messageId(jobId, domain);
                SendResult result = send(job, to, cc, messageId, lease);
                if (result == null) {
                    return;
                }
                retryLater |= record(Mode.BULK, chunk, result, messageId);
            }
        } else {
            for (Recipient r : pending) {
                String messageId = messageId(jobId, domain);
                SendResult result = send(job, List.of(r.mailbox()), List.of(), messageId, lease);
                if (result == null) {
                    return;
                }
                retryLater |= record(Mode.INDIVIDUAL, List.of(r), result, messageId);
            }
        }
        finish(jobId, lease.holder, retryLater);
    }

    /** @return the relay's answer, or null when the job's lease was lost (another worker finishes it; nothing sent) */
    private SendResult send(Job job, List<MailMessage.Mailbox> to, List<MailMessage.Mailbox> cc, String messageId, Lease lease) {
        try {
            rateLimiter.acquire(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SendResult.temporary("interrupted while waiting for the relay's rate limit");
        }
        // Checked after the rate limit's wait, which can outlast the lease, and right before the message goes out.
        if (!lease.hold()) {
            LOG.warnf("mail job %d: its lease was taken over, stepping back", job.id());
            return null;
        }
        Mode mode = "BULK".equals(job.mode()) ? Mode.BULK : Mode.INDIVIDUAL;
        return metrics.send(mode, transport.send(new MailMessage(new MailMessage.Mailbox(job.from(), job.fromName()), null, to, cc, job.subject(),
                job.text(), job.html(), job.attachments(), messageId, java.util.Map.of()))).toCompletableFuture().join();
    }

    /** @return true when some recipient waits for a retry */
    private boolean record(Mode mode, List<Recipient> recipients, SendResult result, String messageId) {
        boolean retry = false;
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE mail_job_recipient SET status = ?, attempts = attempts + 1, reply = ?, message_id = ?,
                       sent_at = CASE WHEN ? = 'SENT' THEN now() END
                WHERE id = ? AND status = 'PENDING'""")) {
            for (Recipient r : recipients) {
                String status = switch (result.kind()) {
                    case ACCEPTED -> "SENT";
                    case PERMANENT -> "FAILED";
                    case TEMPORARY -> r.attempts() + 1 >= config.maxAttempts() ? "FAILED" : "PENDING";
                };
                retry |= status.equals("PENDING");
                metrics.delivery(mode, status.equals("PENDING") ? DeliveryOutcome.RETRY : DeliveryOutcome.valueOf(status));
                s.setString(1, status);
                s.setString(2, result.reply());
                s.setString(3, messageId);
                s.setString(4, status);
                s.setLong(5, r.id());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
        return retry;
    }

    /** The claim on a job, renewed while it is worked on so that a job longer than the lease is not taken over. */
    private final class Lease {
        final long jobId;
        final String holder;
        private long renewedAt = System.nanoTime();

        Lease(long jobId, String holder) {
            this.jobId = jobId;
            this.holder = holder;
        }

        /** Renews the lease once half of it has passed; false when it is no longer ours. */
        boolean hold() {
            if (System.nanoTime() - renewedAt < config.claimLease().toNanos() / 2) {
                return true;
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                    UPDATE mail_job SET lease_until = now() + make_interval(secs => ?)
                    WHERE id = ? AND lease_owner = ? AND status = 'SENDING'""")) {
                s.setDouble(1, config.claimLease().toMillis() / 1000.0);
                s.setLong(2, jobId);
                s.setString(3, holder);
                renewedAt = System.nanoTime();
                return s.executeUpdate() == 1;
            } catch (SQLException e) {
                throw new JdbcLaunchStore.StoreException(e);
            }
        }
    }

    private Job claim(long jobId, String holder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE mail_job SET status = 'SENDING', lease_owner = ?, lease_until = now() + make_interval(secs => ?)
                WHERE id = ? AND (status = 'QUEUED' AND (lease_until IS NULL OR lease_until <= now())
                                  OR status = 'SENDING' AND lease_until < now())
                RETURNING id, mode, from_address, from_name, subject, text_body, html_body""")) {
            s.setString(1, holder);
            s.setDouble(2, config.claimLease().toMillis() / 1000.0);
            s.setLong(3, jobId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), JdbcLaunchStore.mailJobAttachments(c, rs.getLong(1))) : null;
            }
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
    }

    private List<Recipient> pending(long jobId) {
        List<Recipient> pending = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, email, display_name, kind, attempts FROM mail_job_recipient WHERE mail_job_id = ? AND status = 'PENDING' ORDER BY id")) {
            s.setLong(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    pending.add(new Recipient(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)));
                }
            }
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
        return pending;
    }

    /** DONE (or DONE_WITH_ERRORS) when no recipient is pending; else back to QUEUED until the retry time. */
    private void finish(long jobId, String holder, boolean retryLater) {
        Duration delay = config.retryDelay();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE mail_job j SET
                    status = CASE WHEN ? THEN 'QUEUED'
                                  WHEN EXISTS (SELECT 1 FROM mail_job_recipient r WHERE r.mail_job_id = j.id AND r.status = 'FAILED')
                                  THEN 'DONE_WITH_ERRORS' ELSE 'DONE' END,
                    lease_owner = NULL,
                    lease_until = CASE WHEN ? THEN now() + make_interval(secs => ?) END,
                    finished_at = CASE WHEN ? THEN NULL ELSE now() END
                WHERE id = ? AND lease_owner = ?""")) {
            s.setBoolean(1, retryLater);
            s.setBoolean(2, retryLater);
            s.setDouble(3, delay.toMillis() / 1000.0);
            s.setBoolean(4, retryLater);
            s.setLong(5, jobId);
            s.setString(6, holder);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
        LOG.debugf("mail job %d: %s", jobId, retryLater ? "retry later" : "done");
    }

    /** Mail jobs nobody works on: queued past their time (a lost or late Kafka job, a retry) or with a lapsed lease. */
    public List<Long> due(Duration queuedGrace, int limit) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                SELECT id FROM mail_job
                WHERE status = 'QUEUED' AND (lease_until <= now() OR lease_until IS NULL AND created_at < now() - make_interval(secs => ?))
                   OR status = 'SENDING' AND lease_until < now()
                ORDER BY id LIMIT ?""")) {
            s.setDouble(1, queuedGrace.toMillis() / 1000.0);
            s.setInt(2, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
        return ids;
    }

    private static String messageId(long jobId, String domain) {
        return "<a" + jobId + "." + UUID.randomUUID().toString().substring(0, 12) + "@" + domain + ">";
    }
}
