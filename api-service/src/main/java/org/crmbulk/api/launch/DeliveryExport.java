package org.crmbulk.api.launch;

import java.util.List;

import javax.sql.DataSource;

import org.crmbulk.api.common.CsvExport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.StreamingOutput;

/** A launch's deliveries as CSV, streamed page by page: a million rows never sit in memory. */
@ApplicationScoped
public class DeliveryExport {

    @Inject
    DataSource dataSource;

    public StreamingOutput csv(long launchId, String status) {
        return CsvExport.stream(dataSource, List.of("id", "email", "status", "attempts", "last_reply", "message_id", "possible_duplicate",
                "sent_at", "contact_id", "activity_id", "bounce", "bounce_diagnostic", "bounced_at", "complained_at"), """
                SELECT id, email, status, attempts, last_reply, message_id, possible_duplicate, sent_at, contact_id, activity_id, bounce,
                       bounce_diagnostic, bounced_at, complained_at
                FROM delivery WHERE launch_id = ? AND (CAST(? AS text) IS NULL OR status = CAST(? AS text)) AND id > ?
                ORDER BY id LIMIT ?""", launchId, status, status);
    }
}
