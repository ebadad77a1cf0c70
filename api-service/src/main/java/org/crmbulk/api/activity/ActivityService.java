package org.crmbulk.api.activity;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.common.Times;
import org.crmbulk.api.attachment.Attachments;
import org.crmbulk.api.contact.Contact;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

@ApplicationScoped
public class ActivityService {

    @Inject
    EntityManager em;

    @Inject
    Attachments attachments;

    @Transactional
    public ActivityView create(ActivityRequest request) {
        check(request);
        Activity activity = new Activity();
        apply(activity, request);
        activity.persist();
        em.flush();
        writeParties(activity.id, request);
        return view(activity);
    }

    @Transactional
    public Optional<ActivityView> find(long id) {
        return Activity.<Activity>findByIdOptional(id).map(this::view);
    }

    @Transactional
    public ActivityView update(long id, ActivityRequest request) {
        Activity activity = existing(id);
        check(request);
        apply(activity, request);
        em.createNativeQuery("DELETE FROM activity_party WHERE activity_id = ?1").setParameter(1, id).executeUpdate();
        writeParties(id, request);
        return view(activity);
    }

    @Transactional
    public void delete(long id) {
        Activity activity = existing(id);
        List<String> bytes = attachments.ofActivity(id).stream().map(Attachments.View::sha256).toList();
        activity.delete();
        em.flush();
        attachments.collectGarbage(bytes);
    }

    /** Newest first, keyset-paged; the time range applies to the start (or, without one, when it happened). */
    @Transactional
    public ActivityView.Page list(Long contactId, Long ownerUserId, String type, Long launchId, OffsetDateTime from,
            OffsetDateTime to, Long before, int limit) {
        StringBuilder where = new StringBuilder("id < :before");
        Parameters p = Parameters.with("before", before == null ? Long.MAX_VALUE : before);
        if (contactId != null) {
            where.append(" AND contactId = :contact");
            p.and("contact", contactId);
        }
        if (ownerUserId != null) {
            where.append(" AND ownerUserId = :owner");
            p.and("owner", ownerUserId);
        }
        if (type != null) {
            where.append(" AND type = :type");
            p.and("type", type);
        }
        if (launchId != null) {
            where.append(" AND launchId = :launch");
            p.and("launch", launchId);
        }
        if (from != null) {
            where.append(" AND coalesce(startsAt, occurredAt) >= :from");
            p.and("from", from);
        }
        if (to != null) {
            where.append(" AND coalesce(startsAt, occurredAt) < :to");
            p.and("to", to);
        }
        List<Activity> found = Activity.<Activity>find(where + " ORDER BY id DESC", p).page(0, limit + 1).list();
        Keyset<ActivityView> page = Keyset.page(found, limit, this::view, ActivityView::id);
        return new ActivityView.Page(page.items(), page.next());
    }

    /** Carried by every mail task of the activity and by its .eml drafts. */
    @Transactional
    public Attachments.View addAttachment(long id, Attachments.Upload upload) {
        existing(id);
        return attachments.add(Attachments.Owner.ACTIVITY, id, upload, attachments.activityBytes(id));
    }

    @Transactional
    public void deleteAttachment(long id, long attachmentId) {
        existing(id);
        if (!attachments.deleteFromActivity(id, attachmentId)) {
            throw ProblemException.notFound("attachment", attachmentId, "attachmentId");
        }
    }

    Activity existing(long id) {
        Activity activity = Activity.findById(id);
        if (activity == null) {
            throw ProblemException.notFound("activity", id, "id");
        }
        return activity;
    }

    private void check(ActivityRequest r) {
        if (r.contactId() != null && Contact.findById(r.contactId()) == null) {
            throw ProblemException.notFound("contact", r.contactId(), "contactId");
        }
        if (r.ownerUserId() != null && CrmUser.findById(r.ownerUserId()) == null) {
            throw ProblemException.notFound("user", r.ownerUserId(), "ownerUserId");
        }
        List<Long> responsible = r.responsibleUserIds() == null ? List.of() : r.responsibleUserIds();
        for (int i = 0; i < responsible.size(); i++) {
            if (CrmUser.findById(responsible.get(i)) == null) {
                throw ProblemException.notFound("user", responsible.get(i), "responsibleUserIds[" + i + "]");
            }
        }
        checkParties("participants", r.participants());
        checkParties("cc", r.cc());
    }

    private static void checkParties(String field, List<ActivityRequest.Party> parties) {
        if (parties == null) {
            return;
        }
        for (int i = 0; i < parties.size(); i++) {
            ActivityRequest.Party p = parties.get(i);
            int given = (p.contactId() != null ? 1 : 0) + (p.userId() != null ? 1 : 0) + (p.email() != null ? 1 : 0);
            String name = field + "[" + i + "]";
            if (given != 1) {
                throw ProblemException.badField(name, "give exactly one of contactId, userId or email");
            }
            if (p.contactId() != null && Contact.findById(p.contactId()) == null) {
                throw ProblemException.notFound("contact", p.contactId(), name + ".contactId");
            }
            if (p.userId() != null && CrmUser.findById(p.userId()) == null) {
                throw ProblemException.notFound("user", p.userId(), name + ".userId");
            }
        }
    }

    private static void apply(Activity a, ActivityRequest r) {
        a.type = r.type();
        a.subject = r.subject();
        a.body = r.body();
        a.bodyHtml = r.bodyHtml();
        a.startsAt = r.startsAt();
        a.status = r.status() == null ? "PLANNED" : r.status();
        a.contactId = r.contactId();
        a.ownerUserId = r.ownerUserId();
    }

    private void writeParties(long activityId, ActivityRequest r) {
        if (r.responsibleUserIds() != null) {
            for (Long user : r.responsibleUserIds().stream().distinct().toList()) {
                insertParty(activityId, "RESPONSIBLE", new ActivityRequest.Party(null, user, null, null));
            }
        }
        if (r.participants() != null) {
            r.participants().forEach(p -> insertParty(activityId, "PARTICIPANT", p));
        }
        if (r.cc() != null) {
            r.cc().forEach(p -> insertParty(activityId, "CC", p));
        }
    }

    private void insertParty(long activityId, String role, ActivityRequest.Party p) {
        em.createNativeQuery("""
                INSERT INTO activity_party (activity_id, role, contact_id, user_id, email, display_name)
                VALUES (?1, ?2, CAST(?3 AS bigint), CAST(?4 AS bigint), CAST(?5 AS text), CAST(?6 AS text))""")
                .setParameter(1, activityId).setParameter(2, role).setParameter(3, p.contactId()).setParameter(4, p.userId())
                .setParameter(5, p.email()).setParameter(6, p.name()).executeUpdate();
    }

    private ActivityView view(Activity a) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery(
                "SELECT role, contact_id, user_id, email, display_name FROM activity_party WHERE activity_id = ?1 ORDER BY id", Tuple.class)
                .setParameter(1, a.id).getResultList();
        List<Long> responsible = new ArrayList<>();
        List<ActivityRequest.Party> participants = new ArrayList<>();
        List<ActivityRequest.Party> cc = new ArrayList<>();
        for (Tuple r : rows) {
            Number contactId = r.get("contact_id", Number.class);
            Number userId = r.get("user_id", Number.class);
            ActivityRequest.Party party = new ActivityRequest.Party(contactId == null ? null : contactId.longValue(),
                    userId == null ? null : userId.longValue(), r.get("email", String.class), r.get("display_name", String.class));
            switch (r.get("role", String.class)) {
                case "RESPONSIBLE" -> responsible.add(party.userId());
                case "PARTICIPANT" -> participants.add(party);
                default -> cc.add(party);
            }
        }
        return new ActivityView(a.id, a.type, a.subject, a.body, a.bodyHtml, a.startsAt, a.status, a.contactId, a.ownerUserId,
                a.launchId, responsible, participants, cc, attachments.ofActivity(a.id), a.createdAt,
                a.updatedAt, mailOutcomes(a.id));
    }

    /** Bounces and complaints of the activity's messages, as mail-worker recorded them on the deliveries. */
    private List<ActivityView.MailOutcome> mailOutcomes(long activityId) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT d.id, d.email, d.bounce, d.bounce_diagnostic, d.bounced_at, d.complained_at FROM delivery d
                WHERE (d.id = (SELECT delivery_id FROM activity WHERE id = ?1) OR d.mail_job_id IN (SELECT id FROM mail_job WHERE activity_id = ?1))
                  AND (d.bounce IS NOT NULL OR d.complained_at IS NOT NULL)
                ORDER BY d.id""", Tuple.class).setParameter(1, activityId).getResultList();
        List<ActivityView.MailOutcome> out = new ArrayList<>();
        for (Tuple r : rows) {
            long id = r.get("id", Number.class).longValue();
            String email = r.get("email", String.class);
            if (r.get("bounce", String.class) != null) {
                out.add(new ActivityView.MailOutcome(id, email, r.get("bounce", String.class) + "_BOUNCE", r.get("bounce_diagnostic", String.class),
                        Times.offset(r.get("bounced_at"))));
            }
            if (r.get("complained_at") != null) {
                out.add(new ActivityView.MailOutcome(id, email, "COMPLAINT", null, Times.offset(r.get("complained_at"))));
            }
        }
        return out;
    }
}
