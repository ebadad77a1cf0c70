package org.crmbulk.api.activity;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.codebook.CodebookService;
import org.crmbulk.api.common.Limits;
import org.crmbulk.api.common.Times;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.EmailAddresses;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.activity.DeliveryMode;
import org.crmbulk.contract.activity.MailTask;
import org.crmbulk.contract.mime.MailMessage;
import org.crmbulk.contract.mime.MimeBodies;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.template.MessageTemplates;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.mail.Session;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/**
 * Runs the five mail tasks of activities. The mode comes from OMAILUL at the moment of the request:
 * INDIVIDUAL and BULK write a mail job for the worker (outbox, same transaction); CLIENT answers a
 * draft at once and sends nothing. Every run is kept in the activity's mail log with who ran it; a job
 * carries its subject, bodies, recipients (with their display names) and attachments as they were then.
 */
@ApplicationScoped
public class MailTaskService {

    /** The sender of activity mail when the activity's owner has none; required, and checked at start. */
    @ConfigMapping(prefix = "crm.activity-mail")
    public interface Config {
        String from();

        Optional<String> fromName();

        /** mailto: URIs longer than this are split by recipients (clients are unreliable past ~2,000 characters). */
        @WithDefault("2000")
        int mailtoMaxLength();
    }

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

    @Inject
    Config config;

    record Resolved(String email, String name, String kind, String skipReason) {
    }

    void checkSender(@Observes StartupEvent event) {
        EmailAddresses.problem(config.from()).ifPresent(reason -> {
            throw new IllegalStateException("CRM_ACTIVITY_MAIL_FROM (crm.activity-mail.from) is not a deliverable address: " + reason);
        });
    }

    @Transactional
    public MailJobView run(long activityId, MailTaskRequest request, String caller) {
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
        CrmUser owner = activity.ownerUserId == null ? null : CrmUser.findById(activity.ownerUserId);
        String from = owner == null ? config.from() : owner.email;
        String fromName = owner == null ? config.fromName().orElse(null) : displayName(owner.firstName, owner.lastName);
        MailJobStatus status = mode == DeliveryMode.CLIENT ? MailJobStatus.DRAFTED : MailJobStatus.QUEUED;
        long jobId = ((Number) em.createNativeQuery("""
                INSERT INTO mail_job (activity_id, task_id, mode, status, subject, text_body, html_body, from_address, from_name,
                                      requested_by, label, finished_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, CAST(?7 AS text), ?8, CAST(?9 AS text), ?10, CAST(?11 AS text),
                        CASE WHEN ?12 THEN now() END)
                RETURNING id""")
                .setParameter(1, activityId).setParameter(2, task.id()).setParameter(3, mode.name()).setParameter(4, status.name())
                .setParameter(5, subject).setParameter(6, text).setParameter(7, html).setParameter(8, from)
                .setParameter(9, fromName).setParameter(10, caller).setParameter(11, request.label())
                .setParameter(12, status.isFinal()).getSingleResult()).longValue();
        // The job's recipients are its deliveries, as the worker claims them: one statement for all of them (up to the
        // limit of 100), in their order.
        em.createNativeQuery("""
                INSERT INTO delivery (mail_job_id, email, display_name, recipient_kind, status, last_reply)
                SELECT ?1, r.email, r.name, r.kind, r.status, r.reply
                FROM unnest(CAST(?2 AS text[]), CAST(?3 AS text[]), CAST(?4 AS text[]), CAST(?5 AS text[]), CAST(?6 AS text[]))
                     WITH ORDINALITY AS r(email, name, kind, status, reply, n)
                ORDER BY r.n""")
                .setParameter(1, jobId)
                .setParameter(2, recipients.stream().map(Resolved::email).toArray(String[]::new))
                .setParameter(3, recipients.stream().map(Resolved::name).toArray(String[]::new))
                .setParameter(4, recipients.stream().map(Resolved::kind).toArray(String[]::new))
                .setParameter(5, recipients.stream().map(r -> (r.skipReason() != null ? DeliveryStatus.SKIPPED
                        : mode == DeliveryMode.CLIENT ? DeliveryStatus.DRAFTED : DeliveryStatus.PENDING).name()).toArray(String[]::new))
                .setParameter(6, recipients.stream().map(Resolved::skipReason).toArray(String[]::new))
                .executeUpdate();
        attachments.freezeForMailJob(activityId, jobId);
        if (mode != DeliveryMode.CLIENT) {
            outbox.enqueue(SendJobV1.activityMail(jobId));
        }
        return find(activityId, jobId).orElseThrow();
    }

    /** The activity's mail log, newest first: two queries for the whole page (jobs, then all their recipients). */
    @Transactional
    public List<MailJobView> log(long activityId) {
        activities.existing(activityId);
        return jobs("activity_id = ?1 ORDER BY id DESC LIMIT 200", activityId);
    }

    @Transactional
    public Optional<MailJobView> find(long activityId, long jobId) {
        return jobs("activity_id = ?1 AND id = ?2", activityId, jobId).stream().findFirst();
    }

    private List<MailJobView> jobs(String where, Object... parameters) {
        var query = em.createNativeQuery("""
                SELECT id, activity_id, task_id, mode, status, subject, requested_by, label, created_at, finished_at, text_body
                FROM mail_job WHERE\s""" + where, Tuple.class);
        for (int i = 0; i < parameters.length; i++) {
            query.setParameter(i + 1, parameters[i]);
        }
        @SuppressWarnings("unchecked")
        List<Tuple> jobs = query.getResultList();
        if (jobs.isEmpty()) {
            return List.of();
        }
        Long[] ids = jobs.stream().map(j -> j.get("id", Number.class).longValue()).toArray(Long[]::new);
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT work_id AS mail_job_id, email, display_name, recipient_kind AS kind, status, attempts, last_reply AS reply, message_id,
                       possible_duplicate, sent_at, bounce, bounce_diagnostic, complained_at
                FROM delivery WHERE work_kind = ?1 AND work_id = ANY(CAST(?2 AS bigint[])) ORDER BY id""", Tuple.class)
                .setParameter(1, SendJobV1.Kind.ACTIVITY_MAIL.name()).setParameter(2, ids).getResultList();
        Map<Long, List<MailJobView.Recipient>> recipients = rows.stream().collect(Collectors.groupingBy(
                r -> r.get("mail_job_id", Number.class).longValue(), LinkedHashMap::new,
                Collectors.mapping(r -> new MailJobView.Recipient(r.get("email", String.class), r.get("display_name", String.class),
                        r.get("kind", String.class), r.get("status", String.class), r.get("attempts", Number.class).intValue(),
                        r.get("reply", String.class), r.get("message_id", String.class), r.get("possible_duplicate", Boolean.class),
                        Times.offset(r.get("sent_at")), r.get("bounce", String.class), r.get("bounce_diagnostic", String.class),
                        Times.offset(r.get("complained_at"))),
                        Collectors.toList())));
        return jobs.stream().map(j -> view(j, recipients.getOrDefault(j.get("id", Number.class).longValue(), List.of()))).toList();
    }

    private MailJobView view(Tuple j, List<MailJobView.Recipient> recipients) {
        long id = j.get("id", Number.class).longValue();
        long activityId = j.get("activity_id", Number.class).longValue();
        MailJobView.Draft draft = null;
        if (DeliveryMode.CLIENT.name().equals(j.get("mode", String.class))) {
            List<String> to = drafted(recipients, "TO").stream().map(MailMessage.Mailbox::email).toList();
            List<String> cc = drafted(recipients, "CC").stream().map(MailMessage.Mailbox::email).toList();
            MailtoLinks.Result links = MailtoLinks.build(to.isEmpty() ? cc : to, to.isEmpty() ? List.of() : cc,
                    j.get("subject", String.class), j.get("text_body", String.class), config.mailtoMaxLength());
            draft = new MailJobView.Draft(links.uris(), links.split(), links.subjectShortened(), links.bodyShortened(),
                    "/api/v1/activities/" + activityId + "/mail-jobs/" + id + "/draft.eml");
        }
        return new MailJobView(id, activityId, j.get("task_id", String.class), j.get("mode", String.class),
                j.get("status", String.class), j.get("subject", String.class), j.get("requested_by", String.class),
                j.get("label", String.class), Times.offset(j.get("created_at")), Times.offset(j.get("finished_at")), recipients, draft);
    }

    /** The draft as RFC 5322 MIME with {@code X-Unsent: 1}, which Outlook and Thunderbird open for editing. */
    @Transactional
    public byte[] eml(long activityId, long jobId) {
        MailJobView job = find(activityId, jobId).filter(j -> DeliveryMode.CLIENT.name().equals(j.mode()))
                .orElseThrow(() -> ProblemException.notFound("draft of mail job", jobId, "jobId"));
        Tuple j = (Tuple) em.createNativeQuery("SELECT from_address, from_name, text_body, html_body FROM mail_job WHERE id = ?1",
                Tuple.class).setParameter(1, jobId).getSingleResult();
        List<MailMessage.Mailbox> to = drafted(job.recipients(), "TO");
        List<MailMessage.Mailbox> cc = drafted(job.recipients(), "CC");
        MailMessage draft = new MailMessage(new MailMessage.Mailbox(j.get("from_address", String.class), j.get("from_name", String.class)),
                null, to.isEmpty() ? cc : to, to.isEmpty() ? List.of() : cc, job.subject(), j.get("text_body", String.class),
                j.get("html_body", String.class), attachments.ofMailJob(jobId).stream()
                        .map(a -> new MimeBodies.Attachment(a.filename(), a.contentType(), a.bytes())).toList(),
                null, Map.of("X-Unsent", "1"));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            draft.toMimeMessage(Session.getInstance(new Properties())).writeTo(out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("could not compose the draft", e);
        }
    }

    private static List<MailMessage.Mailbox> drafted(List<MailJobView.Recipient> recipients, String kind) {
        return recipients.stream().filter(r -> DeliveryStatus.DRAFTED.name().equals(r.status()) && kind.equals(r.kind()))
                .map(r -> new MailMessage.Mailbox(r.email(), r.name())).toList();
    }

    /** The task's groups' addresses, deduplicated case-insensitively; undeliverable ones kept with the reason. */
    private List<Resolved> recipients(Activity activity, MailTask task) {
        List<Resolved> all = new ArrayList<>();
        if (task.groups().contains(MailTask.Group.CONTACT) && activity.contactId != null) {
            @SuppressWarnings("unchecked")
            List<Tuple> c = em.createNativeQuery("SELECT email, first_name, last_name FROM contact WHERE id = ?1", Tuple.class)
                    .setParameter(1, activity.contactId).getResultList();
            c.forEach(r -> all.add(resolved(r.get("email", String.class),
                    displayName(r.get("first_name", String.class), r.get("last_name", String.class)), "TO")));
        }
        for (String role : List.of("RESPONSIBLE", "PARTICIPANT", "CC")) {
            MailTask.Group group = MailTask.Group.valueOf(role);
            if (!task.groups().contains(group)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<Tuple> parties = em.createNativeQuery("""
                    SELECT coalesce(p.email, c.email, u.email) AS email, p.display_name,
                           coalesce(c.first_name, u.first_name) AS first_name, coalesce(c.last_name, u.last_name) AS last_name
                    FROM activity_party p LEFT JOIN contact c ON c.id = p.contact_id LEFT JOIN crm_user u ON u.id = p.user_id
                    WHERE p.activity_id = ?1 AND p.role = ?2 ORDER BY p.id""", Tuple.class).setParameter(1, activity.id)
                    .setParameter(2, role).getResultList();
            parties.forEach(r -> all.add(resolved(r.get("email", String.class),
                    Optional.ofNullable(r.get("display_name", String.class))
                            .orElseGet(() -> displayName(r.get("first_name", String.class), r.get("last_name", String.class))),
                    group == MailTask.Group.CC ? "CC" : "TO")));
        }
        Set<String> seen = new HashSet<>();
        return all.stream().filter(r -> r.email() != null && seen.add(r.email().toLowerCase(Locale.ROOT))).toList();
    }

    private static String displayName(String first, String last) {
        String name = ((first == null ? "" : first) + " " + (last == null ? "" : last)).trim();
        return name.isEmpty() ? null : name;
    }

    private static Resolved resolved(String email, String name, String kind) {
        String problem = email == null ? "no address" : EmailAddresses.problem(email).orElse(null);
        return new Resolved(email == null ? "" : email, name == null || name.isBlank() ? null : name, kind,
                problem == null ? null : "skipped: invalid address: " + problem);
    }
}
