package org.crmbulk.worker.testsend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.template.MessageTemplates;
import org.crmbulk.contract.template.TemplateLimits;
import org.crmbulk.worker.launch.ClaimedDelivery;
import org.crmbulk.worker.launch.JdbcLaunchStore;
import org.crmbulk.worker.launch.LaunchContent;
import org.crmbulk.worker.launch.LaunchProcessor;
import org.crmbulk.worker.metrics.MailMetrics;
import org.crmbulk.worker.metrics.MailMetrics.DeliveryOutcome;
import org.crmbulk.worker.metrics.MailMetrics.Mode;
import org.crmbulk.worker.smtp.MailTransport;
import org.crmbulk.worker.smtp.RelayRateLimiter;
import org.crmbulk.worker.smtp.SendResult;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Sends a bulk action to the few addresses of a test send and records each relay answer on it. */
@ApplicationScoped
public class TestSendProcessor {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    MailMetrics metrics;

    @Inject
    DataSource dataSource;

    @Inject
    JdbcLaunchStore store;

    @Inject
    MailTransport transport;

    @Inject
    RelayRateLimiter rateLimiter;

    @Inject
    TemplateLimits templateLimits;

    private void acquirePermit() {
        try {
            rateLimiter.acquire(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void process(long testSendId) {
        Object[] claimed = claim(testSendId);
        if (claimed == null) {
            return; // done already, or another worker has it
        }
        Long contactId = (Long) claimed[1];
        List<String> addresses = Arrays.asList((String[]) claimed[2]);
        List<Map<String, Object>> results = new ArrayList<>();
        LaunchContent content = store.testSendContent(testSendId).orElse(null);
        if (content != null) {
            Map<String, Object> contact = store.contactFields(contactId);
            for (String address : addresses) {
                String messageId = "<test." + testSendId + "." + UUID.randomUUID().toString().substring(0, 8) + "@"
                        + content.from().substring(content.from().lastIndexOf('@') + 1) + ">";
                SendResult result;
                try {
                    MailMessage mail = LaunchProcessor.compose(content,
                            new ClaimedDelivery(0, address, messageId, 1, false, contact, java.time.Instant.now()), templateLimits.limits());
                    acquirePermit();
                    result = metrics.send(Mode.TEST, transport.send(mail)).toCompletableFuture().join();
                } catch (MessageTemplates.RenderException e) {
                    // Nothing was sent: the test send ends with the reason instead of staying SENDING.
                    result = SendResult.permanent("template: " + e.getMessage());
                }
                // A test send is not retried: whatever the relay did not accept has failed.
                metrics.delivery(Mode.TEST, result.kind() == SendResult.Kind.ACCEPTED ? DeliveryOutcome.SENT : DeliveryOutcome.FAILED);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("address", address);
                r.put("accepted", result.kind() == SendResult.Kind.ACCEPTED);
                r.put("reply", result.reply());
                r.put("messageId", messageId);
                results.add(r);
            }
        }
        finish(testSendId, results);
    }

    // QUEUED, or SENDING for long enough that its worker must have died.
    private Object[] claim(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement("""
                UPDATE test_send SET status = 'SENDING', created_at = created_at
                WHERE id = ? AND (status = 'QUEUED' OR (status = 'SENDING' AND created_at < now() - interval '5 minutes'))
                RETURNING bulk_action_id, contact_id, addresses""")) {
            s.setLong(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new Object[] {rs.getLong(1), rs.getObject(2, Long.class), rs.getArray(3).getArray()} : null;
            }
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        }
    }

    private void finish(long id, List<Map<String, Object>> results) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE test_send SET status = 'DONE', results = CAST(? AS jsonb), finished_at = now() WHERE id = ?")) {
            s.setString(1, JSON.writeValueAsString(results));
            s.setLong(2, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new JdbcLaunchStore.StoreException(e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
