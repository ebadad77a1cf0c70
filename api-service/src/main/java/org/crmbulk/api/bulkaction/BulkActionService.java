package org.crmbulk.api.bulkaction;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.template.MessageTemplates;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class BulkActionService {

    static final Set<String> OWNERS = Set.of("LAUNCHER", "FIXED");

    @Inject
    EntityManager em;

    @ConfigProperty(name = "crm.attachments.max-total-bytes", defaultValue = "10485760")
    long maxAttachmentBytes;

    @Transactional
    public BulkActionView create(BulkActionRequest request) {
        check(request);
        BulkAction action = new BulkAction();
        apply(action, request);
        action.persist();
        return view(action);
    }

    @Transactional
    public Optional<BulkActionView> find(long id) {
        return BulkAction.<BulkAction>findByIdOptional(id).map(this::view);
    }

    @Transactional
    public BulkActionView.Page all(long after, int limit) {
        List<BulkAction> found = BulkAction.<BulkAction>find("id > ?1 ORDER BY id", after).page(0, limit + 1).list();
        List<BulkActionView> items = found.stream().limit(limit).map(this::view).toList();
        return new BulkActionView.Page(items, found.size() > limit ? items.get(items.size() - 1).id() : null);
    }

    /** A launch already running keeps what it started with only in what is sent from now on: edits apply to later messages. */
    @Transactional
    public BulkActionView update(long id, BulkActionRequest request) {
        BulkAction action = existing(id);
        check(request);
        apply(action, request);
        return view(action);
    }

    /** Refused once launched: the history of its launches refers to it. */
    @Transactional
    public void delete(long id) {
        BulkAction action = existing(id);
        if (((Number) em.createNativeQuery("SELECT count(*) FROM launch WHERE bulk_action_id = ?1").setParameter(1, id)
                .getSingleResult()).longValue() > 0) {
            throw new ProblemException(Response.Status.CONFLICT, "bulk action " + id + " has launches; their history refers to it",
                    "id", "has been launched");
        }
        action.delete();
    }

    @Transactional
    public BulkActionView.AttachmentView addAttachment(long id, String filename, String contentType, long size,
            java.util.function.Supplier<byte[]> read) {
        existing(id);
        if (filename == null || filename.isBlank() || filename.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || filename.length() > 255) {
            throw ProblemException.badField("file", "needs a file name of at most 255 characters without control characters");
        }
        long used = ((Number) em.createNativeQuery("SELECT coalesce(sum(size_bytes), 0) FROM attachment WHERE bulk_action_id = ?1")
                .setParameter(1, id).getSingleResult()).longValue();
        if (used + size > maxAttachmentBytes) {
            throw new ProblemException(Problem.of(Response.Status.REQUEST_ENTITY_TOO_LARGE,
                    "attachments of a bulk action may total at most " + maxAttachmentBytes + " bytes; this one has "
                            + size + " and " + used + " are already used",
                    List.of(new Problem.FieldError("file", "over the limit of " + maxAttachmentBytes + " bytes in total"))));
        }
        byte[] content = read.get();
        String sha256 = sha256(content);
        Number attachmentId = (Number) em.createNativeQuery("""
                INSERT INTO attachment (bulk_action_id, filename, content_type, size_bytes, sha256, content)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id""")
                .setParameter(1, id).setParameter(2, filename).setParameter(3, contentType).setParameter(4, content.length)
                .setParameter(5, sha256).setParameter(6, content).getSingleResult();
        return new BulkActionView.AttachmentView(attachmentId.longValue(), filename, contentType, content.length, sha256);
    }

    @Transactional
    public void deleteAttachment(long id, long attachmentId) {
        existing(id);
        if (em.createNativeQuery("DELETE FROM attachment WHERE id = ?1 AND bulk_action_id = ?2").setParameter(1, attachmentId)
                .setParameter(2, id).executeUpdate() == 0) {
            throw ProblemException.notFound("attachment", attachmentId, "attachmentId");
        }
    }

    /** Renders for one contact with the same code the worker sends with. */
    @Transactional
    public Preview preview(long id, Long contactId) {
        BulkAction action = existing(id);
        Contact contact = contactId == null ? null : Contact.findById(contactId);
        if (contactId != null && contact == null) {
            throw ProblemException.notFound("contact", contactId, "contactId");
        }
        Map<String, Object> fields = contact == null ? Map.of() : fields(contact);
        String html = action.htmlTemplate == null ? null : MessageTemplates.renderHtml(action.htmlTemplate, fields);
        String text = action.textTemplate != null ? MessageTemplates.renderText(action.textTemplate, fields)
                : MessageTemplates.textFromHtml(html);
        return new Preview(MessageTemplates.renderText(action.subjectTemplate, fields).replaceAll("[\\r\\n\\t]+", " ").trim(),
                text, html);
    }

    static Map<String, Object> fields(Contact c) {
        Map<String, Object> fields = new java.util.HashMap<>();
        fields.put("id", c.id);
        fields.put("externalId", c.externalId);
        fields.put("email", c.email);
        fields.put("firstName", c.firstName);
        fields.put("lastName", c.lastName);
        fields.put("company", c.company);
        fields.put("language", c.language);
        fields.put("custom", c.customFields);
        return fields;
    }

    private void check(BulkActionRequest r) {
        List<Problem.FieldError> errors = new ArrayList<>();
        template("subject", r.subject(), errors);
        template("textBody", r.textBody(), errors);
        template("htmlBody", r.htmlBody(), errors);
        if (blank(r.textBody()) && blank(r.htmlBody())) {
            errors.add(new Problem.FieldError("textBody", "give a text body, an HTML body, or both"));
        }
        BulkActionRequest.ActivityOption a = r.activity();
        if (a != null && a.create()) {
            String owner = a.owner() == null ? "LAUNCHER" : a.owner();
            if (!OWNERS.contains(owner)) {
                errors.add(new Problem.FieldError("activity.owner", "must be one of " + OWNERS));
            } else if (owner.equals("FIXED") && (a.ownerUserId() == null || CrmUser.findById(a.ownerUserId()) == null)) {
                errors.add(new Problem.FieldError("activity.ownerUserId", "a FIXED owner needs an existing user's ID"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(Problem.of(Response.Status.BAD_REQUEST,
                    errors.stream().map(e -> e.field() + ": " + e.reason()).reduce((x, y) -> x + "; " + y).orElse(""), errors));
        }
    }

    private static void template(String field, String template, List<Problem.FieldError> errors) {
        for (MessageTemplates.Problem p : MessageTemplates.check(template)) {
            errors.add(new Problem.FieldError(field, "line " + p.line() + ", column " + p.column() + ": " + p.reason(), p.line(),
                    p.column()));
        }
    }

    private static void apply(BulkAction action, BulkActionRequest r) {
        action.name = r.name();
        action.fromAddress = r.from();
        action.replyTo = r.replyTo();
        action.subjectTemplate = r.subject();
        action.textTemplate = blank(r.textBody()) ? null : r.textBody();
        action.htmlTemplate = blank(r.htmlBody()) ? null : r.htmlBody();
        BulkActionRequest.ActivityOption a = r.activity();
        action.createActivity = a != null && a.create();
        action.activityType = action.createActivity ? (a.type() == null ? "EMAIL" : a.type()) : null;
        action.activityOwner = action.createActivity ? (a.owner() == null ? "LAUNCHER" : a.owner()) : null;
        action.activityOwnerUserId = action.createActivity && "FIXED".equals(action.activityOwner) ? a.ownerUserId() : null;
    }

    private BulkActionView view(BulkAction action) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "SELECT id, filename, content_type, size_bytes, sha256 FROM attachment WHERE bulk_action_id = ?1 ORDER BY id")
                .setParameter(1, action.id).getResultList();
        return BulkActionView.of(action, rows.stream().map(r -> new BulkActionView.AttachmentView(((Number) r[0]).longValue(),
                (String) r[1], (String) r[2], ((Number) r[3]).intValue(), (String) r[4])).toList());
    }

    private static BulkAction existing(long id) {
        BulkAction action = BulkAction.findById(id);
        if (action == null) {
            throw ProblemException.notFound("bulk action", id, "id");
        }
        return action;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
