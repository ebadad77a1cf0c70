package org.crmbulk.api.bulkaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.template.MessageTemplates;

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

    @Inject
    Attachments attachments;

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
        Keyset<BulkActionView> page = Keyset.page(found, limit, this::view, BulkActionView::id);
        return new BulkActionView.Page(page.items(), page.next());
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
    public BulkActionView.AttachmentView addAttachment(long id, Attachments.Upload upload) {
        existing(id);
        Attachments.View added = attachments.add(Attachments.Owner.BULK_ACTION, id, upload);
        return new BulkActionView.AttachmentView(added.id(), added.filename(), added.contentType(), added.sizeBytes(), added.sha256());
    }

    @Transactional
    public void deleteAttachment(long id, long attachmentId) {
        existing(id);
        if (!attachments.delete(Attachments.Owner.BULK_ACTION, id, attachmentId)) {
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
        return BulkActionView.of(action, attachments.list(Attachments.Owner.BULK_ACTION, action.id).stream()
                .map(a -> new BulkActionView.AttachmentView(a.id(), a.filename(), a.contentType(), a.sizeBytes(), a.sha256())).toList());
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
}
