package org.crmbulk.api.bulkaction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.consent.OptOutFooter;
import org.crmbulk.contract.consent.UnsubscribeLinks;
import org.crmbulk.contract.template.MessageTemplates;
import org.crmbulk.contract.template.TemplateLimits;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

/**
 * Bulk actions and their content versions. Every change of content (the request's fields, an attachment
 * added or removed) writes a new immutable version and points the action at it; a version no launch or
 * test send took is dropped once it is no longer current. Edits lock the action's row, and so do launches
 * and test sends while they take the current version, so a version is never dropped under them.
 */
@ApplicationScoped
public class BulkActionService {

    @Inject
    UnsubscribeLinks links;

    @Inject
    EntityManager em;

    @Inject
    Attachments attachments;

    @Inject
    TemplateLimits templateLimits;

    @Transactional
    public BulkActionView create(BulkActionRequest request, String caller) {
        check(request);
        BulkAction action = new BulkAction();
        action.name = request.name();
        action.persist();
        em.flush();
        BulkActionVersion first = new BulkActionVersion();
        first.bulkActionId = action.id;
        first.version = 1;
        apply(first, request);
        first.createdBy = caller;
        first.persist();
        em.flush();
        action.currentVersionId = first.id;
        return view(action, first);
    }

    @Transactional
    public Optional<BulkActionView> find(long id) {
        return BulkAction.<BulkAction>findByIdOptional(id).map(a -> view(a, current(a)));
    }

    @Transactional
    public BulkActionView.Page all(long after, int limit) {
        List<BulkAction> found = BulkAction.<BulkAction>find("id > ?1 ORDER BY id", after).page(0, limit + 1).list();
        Keyset<BulkActionView> page = Keyset.page(found, limit, a -> view(a, current(a)), BulkActionView::id);
        return new BulkActionView.Page(page.items(), page.next());
    }

    /** A new content version; launches already accepted keep theirs. */
    @Transactional
    public BulkActionView update(long id, BulkActionRequest request, String caller) {
        BulkAction action = locked(id);
        check(request);
        action.name = request.name();
        BulkActionVersion current = current(action);
        BulkActionVersion next = current.next();
        apply(next, request);
        return view(action, replace(action, current, next, caller, null, null));
    }

    /** Refused once launched: the history of its launches refers to it. */
    @Transactional
    public void delete(long id) {
        BulkAction action = locked(id);
        if (((Number) em.createNativeQuery("SELECT count(*) FROM launch WHERE bulk_action_id = ?1").setParameter(1, id)
                .getSingleResult()).longValue() > 0) {
            throw new ProblemException(Response.Status.CONFLICT, "bulk action " + id + " has launches; their history refers to it",
                    "id", "has been launched");
        }
        @SuppressWarnings("unchecked")
        List<String> uploads = em.createNativeQuery("SELECT sha256 FROM attachment WHERE bulk_action_id = ?1")
                .setParameter(1, id).getResultList();
        action.currentVersionId = null;
        em.flush();
        // Its versions, their attachment lists, its uploads and its test sends go with it (ON DELETE CASCADE).
        em.createNativeQuery("DELETE FROM bulk_action WHERE id = ?1").setParameter(1, id).executeUpdate();
        em.detach(action);
        attachments.collectGarbage(uploads);
    }

    @Transactional
    public Attachments.View addAttachment(long id, Attachments.Upload upload, String caller) {
        BulkAction action = locked(id);
        BulkActionVersion current = current(action);
        long used = attachments.ofVersion(current.id).stream().mapToLong(Attachments.View::sizeBytes).sum();
        Attachments.View added = attachments.add(Attachments.Owner.BULK_ACTION, id, upload, used);
        replace(action, current, current.next(), caller, added.id(), null);
        return added;
    }

    @Transactional
    public void deleteAttachment(long id, long attachmentId, String caller) {
        BulkAction action = locked(id);
        BulkActionVersion current = current(action);
        if (attachments.ofVersion(current.id).stream().noneMatch(a -> a.id() == attachmentId)) {
            throw ProblemException.notFound("attachment", attachmentId, "attachmentId");
        }
        replace(action, current, current.next(), caller, null, attachmentId);
    }

    /**
     * The current version's ID, read under a share lock on the action so that no edit drops it before the
     * caller's transaction (a launch, a test send) has recorded that it took it.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<BulkActionVersion> currentForUse(long id) {
        BulkAction action = em.find(BulkAction.class, id, LockModeType.PESSIMISTIC_READ);
        return action == null ? Optional.empty() : Optional.of(current(action));
    }

    /** A content version with its attachments, as a launch or a test send froze it. */
    @Transactional
    public ContentVersion content(long versionId) {
        BulkActionVersion v = BulkActionVersion.findById(versionId);
        return ContentVersion.of(v, attachments.ofVersion(versionId));
    }

    /** Renders the current content for one contact with the same code and limits the worker sends with. */
    @Transactional
    public Preview preview(long id, Long contactId) {
        BulkActionVersion v = current(existing(id));
        Contact contact = contactId == null ? null : Contact.findById(contactId);
        if (contactId != null && contact == null) {
            throw ProblemException.notFound("contact", contactId, "contactId");
        }
        // A sample link (it names no delivery): the preview shows where each message's own link and footer go.
        String url = links.publicBaseUrl() + UnsubscribeLinks.PATH + "preview";
        MessageTemplates.Merge merge = new MessageTemplates.Merge(contact == null ? Map.of() : fields(contact),
                Map.of(MessageTemplates.UNSUBSCRIBE_URL, url));
        boolean czech = contact != null && OptOutFooter.czech(contact.language);
        MessageTemplates.Limits limits = templateLimits.limits();
        String field = "subject";
        try {
            String subject = MessageTemplates.renderSubject(v.subjectTemplate, merge, limits);
            field = "htmlBody";
            String html = v.htmlTemplate == null ? null : MessageTemplates.renderHtml(v.htmlTemplate, merge, limits);
            field = "textBody";
            String text = v.textTemplate != null ? MessageTemplates.renderText(v.textTemplate, merge, limits)
                    : MessageTemplates.textFromHtml(html);
            return new Preview(subject, OptOutFooter.text(text, url, czech), html == null ? null : OptOutFooter.html(html, url, czech));
        } catch (MessageTemplates.RenderException e) {
            throw ProblemException.unprocessable(field, "cannot be rendered for this contact: " + e.getMessage());
        }
    }

    /** The merge fields of a contact, as templates see them. */
    public static Map<String, Object> fields(Contact c) {
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

    /**
     * Makes {@code next} the current version (with {@code current}'s attachments, plus {@code addAttachment},
     * minus {@code removeAttachment}), then drops {@code current} if nothing took it, and uploads no version
     * carries any more.
     */
    private BulkActionVersion replace(BulkAction action, BulkActionVersion current, BulkActionVersion next, String caller,
            Long addAttachment, Long removeAttachment) {
        next.createdBy = caller;
        next.persist();
        em.flush();
        em.createNativeQuery("""
                INSERT INTO bulk_action_version_attachment (version_id, position, attachment_id)
                SELECT ?1, row_number() OVER (ORDER BY position), attachment_id FROM (
                    SELECT position, attachment_id FROM bulk_action_version_attachment
                    WHERE version_id = ?2 AND attachment_id <> coalesce(CAST(?3 AS bigint), -1)
                    UNION ALL SELECT 2147483647, CAST(?4 AS bigint) WHERE CAST(?4 AS bigint) IS NOT NULL) carried""")
                .setParameter(1, next.id).setParameter(2, current.id).setParameter(3, removeAttachment)
                .setParameter(4, addAttachment).executeUpdate();
        action.currentVersionId = next.id;
        em.flush();
        // A version no launch or test send took has no history to keep.
        em.createNativeQuery("""
                DELETE FROM bulk_action_version v WHERE v.id = ?1
                  AND NOT EXISTS (SELECT 1 FROM launch l WHERE l.content_version_id = v.id)
                  AND NOT EXISTS (SELECT 1 FROM test_send t WHERE t.content_version_id = v.id)""")
                .setParameter(1, current.id).executeUpdate();
        dropUnusedUploads(action.id);
        return next;
    }

    private void dropUnusedUploads(long actionId) {
        @SuppressWarnings("unchecked")
        List<String> dropped = em.createNativeQuery("""
                DELETE FROM attachment a WHERE a.bulk_action_id = ?1
                  AND NOT EXISTS (SELECT 1 FROM bulk_action_version_attachment va WHERE va.attachment_id = a.id)
                RETURNING a.sha256""").setParameter(1, actionId).getResultList();
        attachments.collectGarbage(dropped);
    }

    /** A template outside the allow-list is well-formed input the service will not process: 422 with line and column. */
    private void check(BulkActionRequest r) {
        List<Problem.FieldError> templates = new ArrayList<>();
        template("subject", r.subject(), templates);
        template("textBody", r.textBody(), templates);
        template("htmlBody", r.htmlBody(), templates);
        if (!templates.isEmpty()) {
            throw new ProblemException(new Problem("about:blank", "Unprocessable Content", 422,
                    templates.stream().map(e -> e.field() + ": " + e.reason()).reduce((x, y) -> x + "; " + y).orElse(""), templates));
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (blank(r.textBody()) && blank(r.htmlBody())) {
            errors.add(new Problem.FieldError("textBody", "give a text body, an HTML body, or both"));
        }
        BulkActionRequest.ActivityOption a = r.activity();
        if (a != null && a.create() && "FIXED".equals(a.owner())
                && (a.ownerUserId() == null || CrmUser.findById(a.ownerUserId()) == null)) {
            errors.add(new Problem.FieldError("activity.ownerUserId", "a FIXED owner needs an existing user's ID"));
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

    private static void apply(BulkActionVersion v, BulkActionRequest r) {
        v.fromAddress = r.from();
        v.fromName = blank(r.fromName()) ? null : r.fromName();
        v.replyTo = r.replyTo();
        v.subjectTemplate = r.subject();
        v.textTemplate = blank(r.textBody()) ? null : r.textBody();
        v.htmlTemplate = blank(r.htmlBody()) ? null : r.htmlBody();
        BulkActionRequest.ActivityOption a = r.activity();
        v.createActivity = a != null && a.create();
        v.activityType = v.createActivity ? (a.type() == null ? "EMAIL" : a.type()) : null;
        v.activityOwner = v.createActivity ? (a.owner() == null ? "LAUNCHER" : a.owner()) : null;
        v.activityOwnerUserId = v.createActivity && "FIXED".equals(v.activityOwner) ? a.ownerUserId() : null;
    }

    private BulkActionView view(BulkAction action, BulkActionVersion version) {
        return BulkActionView.of(action, version, attachments.ofVersion(version.id));
    }

    private static BulkActionVersion current(BulkAction action) {
        return BulkActionVersion.findById(action.currentVersionId);
    }

    private BulkAction locked(long id) {
        BulkAction action = em.find(BulkAction.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (action == null) {
            throw ProblemException.notFound("bulk action", id, "id");
        }
        return action;
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
