package org.crmbulk.api.webhook;

import java.time.OffsetDateTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.common.Times;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.events.CloudEvents;
import org.crmbulk.contract.events.EventTypes;
import org.crmbulk.contract.webhook.WebhookSignatures;
import org.crmbulk.contract.webhook.WebhookTargets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/** Webhook subscriptions, their delivery logs and replays; the workers deliver (mail-worker's webhook package). */
@ApplicationScoped
public class Webhooks {

    public static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "DEAD");

    private final EntityManager em;
    private final WebhookTargets targets;

    public Webhooks(EntityManager em, WebhookConfig config) {
        this.em = em;
        this.targets = new WebhookTargets(config.requireHttps(), config.allowedNetworks().orElse(List.of()));
    }

    @Transactional
    public WebhookView create(WebhookRequest request, String caller) {
        WebhookSubscription s = new WebhookSubscription();
        s.createdBy = caller;
        s.secret = WebhookSignatures.newSecret();
        apply(s, request);
        s.persist();
        return WebhookView.of(s, true);
    }

    @Transactional
    public WebhookView replace(long id, WebhookRequest request) {
        WebhookSubscription s = find(id);
        apply(s, request);
        s.persistAndFlush(); // the answer shows the new updatedAt
        return WebhookView.of(s, request.secret() != null);
    }

    /** Checks everything before it changes anything: a refused request changes nothing. */
    private void apply(WebhookSubscription s, WebhookRequest request) {
        targets.problem(request.url()).ifPresent(reason -> {
            throw ProblemException.badField("url", reason);
        });
        Set<String> types = new LinkedHashSet<>();
        for (int i = 0; i < request.eventTypes().size(); i++) {
            String type = request.eventTypes().get(i);
            if (!EventTypes.ALL.contains(type)) {
                throw ProblemException.badField("eventTypes[" + i + "]", "is not an event type (see asyncapi.yaml): " + type);
            }
            types.add(type);
        }
        if (request.secret() != null) {
            WebhookSignatures.problem(request.secret()).ifPresent(reason -> {
                throw ProblemException.badField("secret", reason);
            });
            s.secret = request.secret();
        }
        s.url = request.url();
        s.eventTypes = types.toArray(String[]::new);
        s.active = request.active() == null || request.active();
        s.description = request.description();
    }

    public WebhookView get(long id) {
        return WebhookView.of(find(id), false);
    }

    public WebhookView.Page all(long after, int limit) {
        List<WebhookSubscription> found = WebhookSubscription.<WebhookSubscription>find("id > ?1 ORDER BY id", after).page(0, limit + 1).list();
        Keyset<WebhookView> page = Keyset.page(found, limit, s -> WebhookView.of(s, false), WebhookView::id);
        return new WebhookView.Page(page.items(), page.next());
    }

    @Transactional
    public void delete(long id) {
        find(id).delete(); // its delivery log goes with it (ON DELETE CASCADE)
    }

    /** The subscription's deliveries, newest first, in keyset pages ({@code before}: the last ID of the previous page). */
    public WebhookDeliveryView.Page deliveries(long id, String status, Long before, int limit) {
        find(id);
        if (status != null && !STATUSES.contains(status)) {
            throw ProblemException.badField("status", "must be one of " + new java.util.TreeSet<>(STATUSES));
        }
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT d.id, d.event_id, e.type, e.subject, d.status, d.replay, d.attempts, d.created_at, d.last_attempt_at,
                       d.next_attempt_at, d.last_status, d.last_answer, d.finished_at
                FROM webhook_delivery d LEFT JOIN event e ON e.id = d.event_id
                WHERE d.subscription_id = ?1 AND (CAST(?2 AS text) IS NULL OR d.status = ?2)
                  AND (CAST(?3 AS bigint) IS NULL OR d.id < ?3)
                ORDER BY d.id DESC LIMIT ?4""", Tuple.class)
                .setParameter(1, id).setParameter(2, status).setParameter(3, before).setParameter(4, limit + 1).getResultList();
        Keyset<WebhookDeliveryView> page = Keyset.page(rows, limit, Webhooks::delivery, WebhookDeliveryView::id);
        return new WebhookDeliveryView.Page(page.items(), page.next());
    }

    private static WebhookDeliveryView delivery(Tuple r) {
        boolean pending = "PENDING".equals(r.get("status", String.class));
        return new WebhookDeliveryView(r.get("id", Number.class).longValue(), CloudEvents.id(r.get("event_id", Number.class).longValue()),
                r.get("type", String.class), r.get("subject", String.class), r.get("status", String.class), r.get("replay", Boolean.class),
                r.get("attempts", Number.class).intValue(), Times.offset(r.get("created_at")), Times.offset(r.get("last_attempt_at")),
                pending ? Times.offset(r.get("next_attempt_at")) : null,
                Optional.ofNullable(r.get("last_status", Number.class)).map(Number::intValue).orElse(null),
                r.get("last_answer", String.class), Times.offset(r.get("finished_at")));
    }

    /**
     * Delivers again every event of the log from {@code from} to {@code to} of the subscription's types — with their
     * original webhook-id, so a receiver that has one already knows it — except those still pending for it.
     */
    @Transactional
    public WebhookDeliveryView.Replayed replay(long id, WebhookDeliveryView.ReplayRequest request) {
        WebhookSubscription s = find(id);
        OffsetDateTime to = request.to() == null ? OffsetDateTime.now() : request.to();
        if (!to.isAfter(request.from())) {
            throw ProblemException.badField("to", "must be after from");
        }
        int made = em.createNativeQuery("""
                INSERT INTO webhook_delivery (subscription_id, event_id, replay)
                SELECT ?1, e.id, true FROM event e
                WHERE e.created_at >= ?2 AND e.created_at < ?3 AND e.type = ANY (CAST(?4 AS text[]))
                  AND NOT EXISTS (SELECT 1 FROM webhook_delivery p WHERE p.subscription_id = ?1 AND p.event_id = e.id AND p.status = 'PENDING')
                ORDER BY e.id""")
                .setParameter(1, s.id).setParameter(2, request.from()).setParameter(3, to).setParameter(4, s.eventTypes).executeUpdate();
        return new WebhookDeliveryView.Replayed(s.id, made);
    }

    private static WebhookSubscription find(long id) {
        return WebhookSubscription.<WebhookSubscription>findByIdOptional(id)
                .orElseThrow(() -> ProblemException.notFound("webhook subscription", id, "id"));
    }
}
