package org.crmbulk.worker.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.consent.UnsubscribeMailto;
import org.crmbulk.contract.consent.UnsubscribeTokens;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.worker.config.ConsentConfig;
import org.crmbulk.worker.config.DeliveryConfig;
import org.crmbulk.worker.db.Jdbc;
import org.crmbulk.worker.delivery.FixedContent;
import org.crmbulk.worker.delivery.MailContent;
import org.crmbulk.worker.delivery.MailMetrics;
import org.crmbulk.worker.delivery.TemplateContent;
import org.crmbulk.worker.work.WorkRef;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.internet.MimeUtility;

/** What each kind of work's messages are made of, as it was frozen when the work was accepted, and contacts' merge fields. */
@ApplicationScoped
@Startup // a malformed unsubscribe key or base URL stops the worker at start, not at its first launch
public class Contents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeliveryConfig config;
    private final UnsubscribeLinks links;
    private final UnsubscribeMailto mailto;

    public Contents(DeliveryConfig config, ConsentConfig consent, UnsubscribeTokens tokens, UnsubscribeMailto mailto) {
        this.mailto = mailto;
        this.config = config;
        this.links = new UnsubscribeLinks(consent.publicBaseUrl(), tokens);
    }

    /** The columns of a frozen content version (alias v) that every message is rendered from. */
    private static final String VERSION_COLUMNS = """
            v.id, v.from_address, v.from_name, v.reply_to, v.subject_template, v.text_template, v.html_template, v.activity_type,
            v.bulk_action_id, (SELECT a.name FROM bulk_action a WHERE a.id = v.bulk_action_id) AS action_name""";

    Optional<MailContent> of(Connection c, WorkRef work) throws SQLException {
        return switch (work.kind()) {
            // Named query "frozen content": the version the launch took at acceptance, never the action's current one.
            case LAUNCH -> version(c, "SELECT " + VERSION_COLUMNS + """
                    , v.create_activity, CASE WHEN v.activity_owner = 'FIXED' THEN v.activity_owner_user_id ELSE l.launched_by_user_id END
                                AS activity_owner_id
                    FROM launch l JOIN bulk_action_version v ON v.id = l.content_version_id WHERE l.id = ?""", work.id(),
                    MailMetrics.Mode.LAUNCH);
            // A test send renders the version it froze when requested, and records no activities.
            case TEST_SEND -> version(c, "SELECT " + VERSION_COLUMNS + """
                    , false AS create_activity, CAST(NULL AS bigint) AS activity_owner_id
                    FROM test_send t JOIN bulk_action_version v ON v.id = t.content_version_id WHERE t.id = ?""", work.id(),
                    MailMetrics.Mode.TEST);
            case ACTIVITY_MAIL -> mailJob(c, work.id());
        };
    }

    private Optional<MailContent> version(Connection c, String sql, long id, MailMetrics.Mode mode) throws SQLException {
        List<Optional<MailContent>> found = Jdbc.query(c, sql, r -> {
            long versionId = r.getLong("id");
            Optional<MailContent.ActivityRule> activity = r.getBoolean("create_activity")
                    ? Optional.of(new MailContent.ActivityRule(Optional.ofNullable(r.getString("activity_type")).orElse("EMAIL"),
                            r.getObject("activity_owner_id", Long.class)))
                    : Optional.empty();
            String from = r.getString("from_address");
            TemplateContent.Campaign campaign = new TemplateContent.Campaign(links, mailto,
                    listId(r.getLong("bulk_action_id"), r.getString("action_name"), from));
            return Optional.of(new TemplateContent(versionId, from, r.getString("from_name"),
                    r.getString("reply_to"), r.getString("subject_template"), r.getString("text_template"), r.getString("html_template"),
                    versionAttachments(c, versionId), activity, mode, Optional.of(campaign)));
        }, id);
        return found.isEmpty() ? Optional.empty() : found.get(0);
    }

    /** RFC 2919: the bulk action's name as the phrase, {@code ba<id>.<sender's domain>} as the list's identifier. */
    static String listId(long bulkActionId, String name, String from) {
        String id = "<ba" + bulkActionId + "." + from.substring(from.lastIndexOf('@') + 1).toLowerCase(java.util.Locale.ROOT) + ">";
        if (name == null || name.isBlank()) {
            return id;
        }
        try {
            return (name.matches("[\\x20-\\x7e&&[^\"\\\\]]+") ? "\"" + name + "\"" : MimeUtility.encodeWord(name, "UTF-8", "Q")) + " " + id;
        } catch (java.io.UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    private Optional<MailContent> mailJob(Connection c, long id) throws SQLException {
        List<MailContent> found = Jdbc.query(c, """
                SELECT mode, from_address, from_name, subject, text_body, html_body FROM mail_job WHERE id = ?""",
                r -> new FixedContent(DeliveryMode.valueOf(r.getString("mode")), r.getString("from_address"), r.getString("from_name"),
                        r.getString("subject"), r.getString("text_body"), r.getString("html_body"), mailJobAttachments(c, id),
                        config.maxRecipientsPerMessage()), id);
        return found.stream().findFirst();
    }

    /** A content version's attachments in their order, loaded once per run and shared by every message. */
    private static List<MimeBodies.Attachment> versionAttachments(Connection c, long versionId) throws SQLException {
        return Jdbc.query(c, """
                SELECT a.filename, a.content_type, b.content
                FROM bulk_action_version_attachment va JOIN attachment a ON a.id = va.attachment_id
                JOIN content_blob b ON b.sha256 = a.sha256
                WHERE va.version_id = ? ORDER BY va.position""", Contents::attachment, versionId);
    }

    /** The attachments a mail job froze when its task ran, in their order. */
    private static List<MimeBodies.Attachment> mailJobAttachments(Connection c, long mailJobId) throws SQLException {
        return Jdbc.query(c, """
                SELECT m.filename, m.content_type, b.content
                FROM mail_job_attachment m JOIN content_blob b ON b.sha256 = m.sha256
                WHERE m.mail_job_id = ? ORDER BY m.position""", Contents::attachment, mailJobId);
    }

    private static MimeBodies.Attachment attachment(ResultSet r) throws SQLException {
        return new MimeBodies.Attachment(r.getString("filename"), r.getString("content_type"), r.getBytes("content"));
    }

    /** The merge fields of these contacts, as templates see them; a deleted contact is absent. */
    Map<Long, Map<String, Object>> contactFields(Connection c, List<Long> ids) throws SQLException {
        Map<Long, Map<String, Object>> contacts = new HashMap<>();
        if (ids.isEmpty()) {
            return contacts;
        }
        Jdbc.query(c, """
                SELECT id, email, first_name, last_name, company, language, external_id, custom_fields::text AS custom
                FROM contact WHERE id = ANY(?)""", r -> {
            Map<String, Object> contact = new HashMap<>();
            contact.put("id", r.getLong("id"));
            contact.put("email", r.getString("email"));
            contact.put("firstName", r.getString("first_name"));
            contact.put("lastName", r.getString("last_name"));
            contact.put("company", r.getString("company"));
            contact.put("language", r.getString("language"));
            contact.put("externalId", r.getString("external_id"));
            contact.put("custom", parseJson(r.getString("custom")));
            return contacts.put(r.getLong("id"), contact);
        }, (Object) ids.toArray(Long[]::new)); // one array argument, not varargs
        return contacts;
    }

    private static Map<String, Object> parseJson(String json) {
        try {
            return json == null ? Map.of() : JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (Exception e) {
            return Map.of();
        }
    }
}
