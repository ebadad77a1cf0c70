package org.crmbulk.api.activity;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.codebook.CodebookService;
import org.crmbulk.api.common.Limits;
import org.crmbulk.api.launch.Times;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.EmailAddresses;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.activity.MailTask;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.contract.template.MessageTemplates;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Runs the five mail tasks of activities. The mode comes from OMAILUL at the moment of the request:
 * INDIVIDUAL and BULK write a mail job for the worker (outbox, same transaction); CLIENT answers a
 * draft at once and sends nothing. Every run is kept in the activity's mail log.
 */
@ApplicationScoped
public class MailTaskService {

    @Inject
    Limits limits;

    @Inject
    EntityManager em;

    @Inject
    ActivityService activities;

    @Inject
    CodebookService codebooks;

    @Inject
    Outbox outbox;

    @Inject
    Attachments attachments;

    @ConfigProperty(name = "crm.activity-mail.from", defaultValue = "crm@localhost")
    String defaultFrom;

    @ConfigProperty(name = "crm.activity-mail.mailto-max-length", defaultValue = "2000")
    int mailtoMaxLength;

    record Resolved(String email, String name, String kind, String skipReason) {
    }

    @Transactional
    public MailJobView run(long activityId, MailTaskRequest request) {
        Activity activity = activities.existing(activityId);
        MailTask task = MailTask.find(request.task()).orElseThrow(() -> ProblemException.badField("task",
                "unknown mail task; use one of " + MailTask.ids() + " (or an alias)"));
        String subject = request.subject() != null ? request.subject() : activity.subject;
        if (subject == null || subject.isBlank()) {
            throw ProblemException.badField("subject", "the activity has no subject; give one");
        }
        String html = request.bodyHtml() != null ? request.bodyHtml() : request.body() != null ? null : activity.bodyHtml;
        String text = request.body() != null ? request.body() : activity.body != null ? activity.body
                : html != null ? MessageTemplates.textFromHtml(html) : "";
        List<Resolved> recipients = recipients(activity, task);
        if (recipients.stream().allMatch(r -> r.skipReason() != null)) {
            throw ProblemException.badField("task", "the activity has no deliverable recipient for " + task.id());
        }
        if (recipients.size() > limits.maxMailTaskRecipients()) {
            String reason = task.id() + " would go to " + recipients.size() + " recipients; one mail task takes at most "
                    + limits.maxMailTaskRecipients() + " (use a marketing list and a bulk action for more)";
            throw ProblemException.unprocessable("task", reason);
        }
        DeliveryMode mode = codebooks.mode(task);
        String from = activity.ownerUserId == null ? defaultFrom
                : Optional.ofNullable(CrmUser.<CrmUser>findById(activity.ownerUserId)).map(u -> u.email).orElse(defaultFrom);
        String status = mode == DeliveryMode.CLIENT ? "DRAFTED" : "QUEUED";
        long jobId = ((Number) em.createNativeQuery("""
                INSERT INTO mail_job (activity_id, task_id, mode, status, subject, text_body, html_body, from_address, requested_by,
                                      finished_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS text), ?8, CAST(?9 AS text), CASE WHEN ?4 = 'DRAFTED' THEN now() END)
                RETURNING id""")
                .setParameter(1, activityId).setParameter(2, task.id()).setParameter(3, mode.name()).setParameter(4, status)
                .setParameter(5, subject).setParameter(6, text).setParameter(7, html).setParameter(8, from)
                .setParameter(9, request.requestedBy()).getSingleResult()).longValue();
        // One statement for all recipients (up to the limit of 100), in their order: one round trip, not one each.
        em.createNativeQuery("""
                INSERT INTO mail_job_recipient (mail_job_id, email, display_name, kind, status, reply)
                SELECT ?1, r.email, r.name, r.kind, r.status, r.reply
                FROM unnest(CAST(?2 AS text[]), CAST(?3 AS text[]), CAST(?4 AS text[]), CAST(?5 AS text[]), CAST(?6 AS text[]))
                     WITH ORDINALITY AS r(email, name, kind, status, reply, n)
                ORDER BY r.n""")
                .setParameter(1, jobId)
                .setParameter(2, recipients.stream().map(Resolved::email).toArray(String[]::new))
                .setParameter(3, recipients.stream().map(Resolved::name).toArray(String[]::new))
                .setParameter(4, recipients.stream().map(Resolved::kind).toArray(String[]::new))
                .setParameter(5, recipients.stream().map(r -> r.skipReason() != null ? "SKIPPED" : mode == DeliveryMode.CLIENT ? "DRAFTED" : "PENDING")
                        .toArray(String[]::new))
                .setParameter(6, recipients.stream().map(Resolved::skipReason).toArray(String[]::new))
                .executeUpdate();
        if (mode != DeliveryMode.CLIENT) {
            outbox.enqueue(SendJobV1.activityMail(jobId));
        }
        return find(activityId, jobId).orElseThrow();
    }

    @Transactional
    public List<MailJobView> log(long activityId) {
        activities.existing(activityId);
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("SELECT id FROM mail_job WHERE activity_id = ?1 ORDER BY id DESC LIMIT 200")
                .setParameter(1, activityId).getResultList();
        return ids.stream().map(id -> find(activityId, id.longValue()).orElseThrow()).toList();
    }

    @Transactional
    public Optional<MailJobView> find(long activityId, long jobId) {
        @SuppressWarnings("unchecked")
        List<Object[]> jobs = em.createNativeQuery("""
                SELECT id, activity_id, task_id, mode, status, subject, requested_by, created_at, finished_at, text_body
                FROM mail_job WHERE id = ?1 AND activity_id = ?2""").setParameter(1, jobId).setParameter(2, activityId).getResultList();
        if (jobs.isEmpty()) {
            return Optional.empty();
        }
        Object[] j = jobs.get(0);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT email, display_name, kind, status, attempts, reply, message_id, sent_at
                FROM mail_job_recipient WHERE mail_job_id = ?1 ORDER BY id""").setParameter(1, jobId).getResultList();
        List<MailJobView.Recipient> recipients = rows.stream().map(r -> new MailJobView.Recipient((String) r[0], (String) r[1],
                (String) r[2], (String) r[3], ((Number) r[4]).intValue(), (String) r[5], (String) r[6], Times.offset(r[7]))).toList();
        MailJobView.Draft draft = null;
        if ("CLIENT".equals(j[3])) {
            List<String> to = drafted(recipients, "TO");
            List<String> cc = drafted(recipients, "CC");
            MailtoLinks.Result links = MailtoLinks.build(to.isEmpty() ? cc : to, to.isEmpty() ? List.of() : cc, (String) j[5],
                    (String) j[9], mailtoMaxLength);
            draft = new MailJobView.Draft(links.uris(), links.split(), links.bodyShortened(),
                    "/api/v1/activities/" + activityId + "/mail-jobs/" + jobId + "/draft.eml");
        }
        return Optional.of(new MailJobView(((Number) j[0]).longValue(), ((Number) j[1]).longValue(), (String) j[2],
                (String) j[3], (String) j[4], (String) j[5], (String) j[6], Times.offset(j[7]), Times.offset(j[8]), recipients,
                draft));
    }

    /** The draft as RFC 5322 MIME with {@code X-Unsent: 1}, which Outlook and Thunderbird open for editing. */
    @Transactional
    public byte[] eml(long activityId, long jobId) {
        MailJobView job = find(activityId, jobId).filter(j -> "CLIENT".equals(j.mode()))
                .orElseThrow(() -> ProblemException.notFound("draft of mail job", jobId, "jobId"));
        Object[] j = (Object[]) em.createNativeQuery("SELECT from_address, text_body, html_body FROM mail_job WHERE id = ?1")
                .setParameter(1, jobId).getSingleResult();
        try {
            MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
            m.setFrom(new InternetAddress((String) j[0]));
            List<String> to = drafted(job.recipients(), "TO");
            List<String> cc = drafted(job.recipients(), "CC");
            for (MailJobView.Recipient r : job.recipients()) {
                if ("DRAFTED".equals(r.status())) {
                    boolean asTo = "TO".equals(r.kind()) || to.isEmpty();
                    m.addRecipient(asTo ? Message.RecipientType.TO : Message.RecipientType.CC,
                            new InternetAddress(r.email(), r.name(), "UTF-8"));
                }
            }
            m.setSubject(job.subject(), "UTF-8");
            m.setHeader("X-Unsent", "1");
            MimeBodies.fill(m, (String) j[1], (String) j[2], attachments.contents(Attachments.Owner.ACTIVITY, activityId).stream()
                    .map(a -> new MimeBodies.Attachment(a.filename(), a.contentType(), a.bytes())).toList());
            m.saveChanges();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("could not compose the draft", e);
        }
    }

    private static List<String> drafted(List<MailJobView.Recipient> recipients, String kind) {
        return recipients.stream().filter(r -> "DRAFTED".equals(r.status()) && kind.equals(r.kind())).map(MailJobView.Recipient::email)
                .toList();
    }

    /** The task's groups' addresses, deduplicated case-insensitively; undeliverable ones kept with the reason. */
    private List<Resolved> recipients(Activity activity, MailTask task) {
        List<Resolved> all = new ArrayList<>();
        if (task.groups().contains(MailTask.Group.CONTACT) && activity.contactId != null) {
            @SuppressWarnings("unchecked")
            List<Object[]> c = em.createNativeQuery(
                    "SELECT email, trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) FROM contact WHERE id = ?1")
                    .setParameter(1, activity.contactId).getResultList();
            c.forEach(r -> all.add(resolved((String) r[0], (String) r[1], "TO")));
        }
        for (String role : List.of("RESPONSIBLE", "PARTICIPANT", "CC")) {
            MailTask.Group group = MailTask.Group.valueOf(role);
            if (!task.groups().contains(group)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Object[]> parties = em.createNativeQuery("""
                    SELECT coalesce(p.email, c.email, u.email),
                           coalesce(p.display_name, nullif(trim(coalesce(c.first_name, u.first_name, '') || ' ' || coalesce(c.last_name, u.last_name, '')), ''))
                    FROM activity_party p LEFT JOIN contact c ON c.id = p.contact_id LEFT JOIN crm_user u ON u.id = p.user_id
                    WHERE p.activity_id = ?1 AND p.role = ?2 ORDER BY p.id""").setParameter(1, activity.id).setParameter(2, role)
                    .getResultList();
            parties.forEach(r -> all.add(resolved((String) r[0], (String) r[1], group == MailTask.Group.CC ? "CC" : "TO")));
        }
        Set<String> seen = new HashSet<>();
        return all.stream().filter(r -> r.email() != null && seen.add(r.email().toLowerCase(Locale.ROOT))).toList();
    }

    private static Resolved resolved(String email, String name, String kind) {
        String problem = email == null ? "no address" : EmailAddresses.problem(email).orElse(null);
        return new Resolved(email == null ? "" : email, name == null || name.isBlank() ? null : name, kind,
                problem == null ? null : "skipped: invalid address: " + problem);
    }
}
