package org.crmbulk.api.launch;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Optional;
import java.util.Set;

import org.crmbulk.api.bulkaction.BulkActionService;
import org.crmbulk.api.bulkaction.BulkActionVersion;
import org.crmbulk.api.bulkaction.ContentVersion;
import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.common.Limits;
import org.crmbulk.api.common.Times;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.Problem;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.api.user.CrmUser;
import org.crmbulk.contract.SendJobV1;
import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.Lifecycle;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class LaunchService {

    private static final Logger LOG = Logger.getLogger(LaunchService.class);

    /** A launch's deliveries are those of the work (LAUNCH, id), as the worker claims them. */
    private static final String WORK_KIND = SendJobV1.Kind.LAUNCH.name();
    /** A launch's deliveries are never DRAFTED (only a CLIENT-mode mail task's are). */
    static final List<String> LAUNCH_DELIVERY_STATUSES = java.util.Arrays.stream(DeliveryStatus.values())
            .filter(s -> s != DeliveryStatus.DRAFTED).map(Enum::name).toList();

    @Inject
    EntityManager em;

    @Inject
    Outbox outbox;

    @Inject
    ObjectMapper json;

    @Inject
    Limits limits;

    @Inject
    BulkActionService actions;

    /** The answer to a launch request: the first one's, replayed as it was for a repeated Idempotency-Key. */
    public record Answer(int status, String location, String body) {
    }

    /**
     * Writes the launch and its send job in one transaction; the cost does not grow with the lists'
     * size. With an idempotency key, a repeat by the same caller returns the first answer and a different
     * request under the same key is refused (422); keys are the caller's own, so another caller's key never
     * collides. Concurrent repeats wait on the key's row and then replay.
     */
    @Transactional
    public Answer launch(LaunchRequest request, String idempotencyKey, String caller) {
        String hash = idempotencyKey == null ? null : hash(request);
        if (idempotencyKey != null) {
            int claimed = em.createNativeQuery("""
                    INSERT INTO idempotency_key (caller, key, request_hash, status, body) VALUES (?1, ?2, ?3, 0, '')
                    ON CONFLICT DO NOTHING""").setParameter(1, caller).setParameter(2, idempotencyKey).setParameter(3, hash)
                    .executeUpdate();
            if (claimed == 0) {
                Tuple first = (Tuple) em.createNativeQuery(
                        "SELECT request_hash, status, location, body FROM idempotency_key WHERE caller = ?1 AND key = ?2", Tuple.class)
                        .setParameter(1, caller).setParameter(2, idempotencyKey).getSingleResult();
                if (!hash.equals(first.get("request_hash", String.class))) {
                    throw new ProblemException(new Problem("about:blank", "Unprocessable Content", 422,
                            "Idempotency-Key " + idempotencyKey + " was used for a different request",
                            List.of(new Problem.FieldError("Idempotency-Key", "already used by this caller for a different request"))));
                }
                return new Answer(first.get("status", Number.class).intValue(), first.get("location", String.class),
                        first.get("body", String.class));
            }
        }
        LaunchView view = create(request, caller);
        Answer answer = new Answer(202, "/api/v1/launches/" + view.id(), write(view));
        if (idempotencyKey != null) {
            em.createNativeQuery("UPDATE idempotency_key SET status = ?3, location = ?4, body = ?5 WHERE caller = ?1 AND key = ?2")
                    .setParameter(1, caller).setParameter(2, idempotencyKey).setParameter(3, answer.status())
                    .setParameter(4, answer.location()).setParameter(5, answer.body()).executeUpdate();
        }
        return answer;
    }

    private LaunchView create(LaunchRequest request, String caller) {
        BulkActionVersion content = actions.currentForUse(request.bulkActionId())
                .orElseThrow(() -> ProblemException.notFound("bulk action", request.bulkActionId(), "bulkActionId"));
        if (request.launchedByUserId() != null && CrmUser.findById(request.launchedByUserId()) == null) {
            throw ProblemException.notFound("user", request.launchedByUserId(), "launchedByUserId");
        }
        if (content.createActivity && "LAUNCHER".equals(content.activityOwner) && request.launchedByUserId() == null) {
            throw ProblemException.unprocessable("launchedByUserId", "bulk action " + request.bulkActionId()
                    + " creates activities owned by the launching user; name that user");
        }
        if (request.scheduledAt() != null && !request.scheduledAt().isAfter(OffsetDateTime.now())) {
            throw ProblemException.badField("scheduledAt", "must be in the future (leave it out to launch now)");
        }
        List<Long> listIds = request.listIds().stream().distinct().toList();
        @SuppressWarnings("unchecked")
        List<Number> unknown = em.createNativeQuery(
                "SELECT u.id FROM unnest(CAST(?1 AS bigint[])) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM marketing_list l WHERE l.id = u.id)")
                .setParameter(1, listIds.toArray(Long[]::new)).getResultList();
        if (!unknown.isEmpty()) {
            throw new ProblemException(Response.Status.NOT_FOUND, "unknown marketing list IDs: " + unknown, "listIds",
                    "no marketing list with ID " + unknown.get(0));
        }
        long members = ((Number) em.createNativeQuery(
                // A share lock keeps the lists from being deleted before the launch records them.
                "SELECT coalesce(sum(member_count), 0) FROM (SELECT member_count FROM marketing_list WHERE id = ANY(CAST(?1 AS bigint[])) FOR SHARE) l")
                .setParameter(1, listIds.toArray(Long[]::new)).getSingleResult()).longValue();
        if (members > limits.maxLaunchRecipients()) {
            String reason = "the lists hold " + members + " members; a launch takes at most " + limits.maxLaunchRecipients();
            throw ProblemException.unprocessable("listIds", reason);
        }
        Launch launch = new Launch();
        launch.bulkActionId = request.bulkActionId();
        launch.contentVersionId = content.id;
        launch.status = (request.scheduledAt() == null ? LaunchStatus.QUEUED : LaunchStatus.SCHEDULED).name();
        launch.scheduledAt = request.scheduledAt();
        launch.launchedBy = caller;
        launch.launchedByUserId = request.launchedByUserId();
        launch.createdAt = OffsetDateTime.now();
        launch.persist();
        // The lists' names are history too: they stay as they were when the list is renamed or deleted.
        em.createNativeQuery("INSERT INTO launch_list (launch_id, list_id, list_name) SELECT ?1, l.id, l.name FROM marketing_list l WHERE l.id = ANY(CAST(?2 AS bigint[]))")
                .setParameter(1, launch.id).setParameter(2, listIds.toArray(Long[]::new)).executeUpdate();
        outbox.enqueue(SendJobV1.launch(launch.id));
        MDC.put("launchId", Long.toString(launch.id));
        LOG.infof("launch %d of bulk action %d (content version %d) over lists %s accepted from %s", launch.id,
                launch.bulkActionId, content.version, listIds, caller);
        MDC.remove("launchId");
        return view(launch);
    }

    @Transactional
    public Optional<LaunchView> find(long id) {
        return Launch.<Launch>findByIdOptional(id).map(this::view);
    }

    /** The content the launch froze at acceptance: what every one of its messages was rendered from. */
    @Transactional
    public Optional<ContentVersion> content(long id) {
        return Launch.<Launch>findByIdOptional(id).map(l -> actions.content(l.contentVersionId));
    }

    /** Newest first, keyset-paged on the ID. */
    @Transactional
    public LaunchView.Page history(LaunchFilter filter, Long before, int limit) {
        if (filter.status() != null && !names(LaunchStatus.values()).contains(filter.status())) {
            throw ProblemException.badField("status", "must be one of " + names(LaunchStatus.values()));
        }
        StringBuilder where = new StringBuilder("id < :before");
        Parameters params = Parameters.with("before", before == null ? Long.MAX_VALUE : before);
        if (filter.bulkActionId() != null) {
            where.append(" AND bulkActionId = :action");
            params.and("action", filter.bulkActionId());
        }
        if (filter.status() != null) {
            where.append(" AND status = :status");
            params.and("status", filter.status());
        }
        if (filter.launchedBy() != null) {
            where.append(" AND launchedBy = :by");
            params.and("by", filter.launchedBy());
        }
        if (filter.from() != null) {
            where.append(" AND createdAt >= :from");
            params.and("from", filter.from());
        }
        if (filter.to() != null) {
            where.append(" AND createdAt < :to");
            params.and("to", filter.to());
        }
        List<Launch> found = Launch.<Launch>find(where + " ORDER BY id DESC", params).page(0, limit + 1).list();
        Map<Long, LaunchView> views = views(found.stream().limit(limit).toList());
        Keyset<LaunchView> page = Keyset.page(found, limit, l -> views.get(l.id), LaunchView::id);
        return new LaunchView.Page(page.items(), page.next());
    }

    /** Stops sending after the batch in flight; the launch keeps its place and resumes where it stopped. */
    @Transactional
    public LaunchView pause(long id, String caller) {
        Launch launch = locked(id);
        launch.status = become(launch, LaunchStatus.PAUSED, "pause").name();
        launch.pauseReason = "paused by " + caller;
        launch.statusChangedBy = caller;
        return view(launch);
    }

    @Transactional
    public LaunchView resume(long id, String caller) {
        Launch launch = locked(id);
        LaunchStatus resumed = launch.startedAt != null ? LaunchStatus.RUNNING
                : launch.scheduledAt != null && launch.scheduledAt.isAfter(OffsetDateTime.now()) ? LaunchStatus.SCHEDULED
                : LaunchStatus.QUEUED;
        if (LaunchStatus.valueOf(launch.status) != LaunchStatus.PAUSED) {
            throw conflict(launch, "resume", Set.of(LaunchStatus.PAUSED));
        }
        launch.status = become(launch, resumed, "resume").name();
        launch.pauseReason = null;
        launch.statusChangedBy = caller;
        // The worker's lease is its own: a driver that saw the pause gave it up, and the job (or the sweep) starts one again.
        outbox.enqueue(SendJobV1.launch(id));
        return view(launch);
    }

    /** Deliveries not yet sent become CANCELLED with the launch, in one transaction; those in flight finish. */
    @Transactional
    public LaunchView cancel(long id, String caller) {
        Launch launch = locked(id);
        launch.status = become(launch, LaunchStatus.CANCELLED, "cancel").name();
        launch.statusChangedBy = caller;
        int cancelled = em.createNativeQuery("""
                UPDATE delivery SET status = ?1, last_reply = 'cancelled with the launch'
                WHERE work_kind = ?2 AND work_id = ?3 AND status = ?4""")
                .setParameter(1, DeliveryStatus.CANCELLED.name()).setParameter(2, WORK_KIND).setParameter(3, id)
                .setParameter(4, DeliveryStatus.PENDING.name()).executeUpdate();
        launch.cancelled += cancelled;
        launch.pending -= cancelled;
        launch.finishedAt = OffsetDateTime.now();
        return view(launch);
    }

    @Transactional
    public DeliveryPage deliveries(long launchId, String status, long after, int limit) {
        if (Launch.findById(launchId) == null) {
            throw ProblemException.notFound("launch", launchId, "id");
        }
        if (status != null && !LAUNCH_DELIVERY_STATUSES.contains(status)) {
            throw ProblemException.badField("status", "must be one of " + LAUNCH_DELIVERY_STATUSES);
        }
        // Keyset paging on the primary key: page 10,000 costs what page 1 costs.
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT id, contact_id, email, status, attempts, last_reply, message_id, possible_duplicate, sent_at, activity_id, bounce,
                       bounce_diagnostic, bounced_at, complained_at
                FROM delivery WHERE work_kind = ?1 AND work_id = ?2 AND id > ?3 AND (CAST(?4 AS text) IS NULL OR status = CAST(?4 AS text))
                ORDER BY id LIMIT ?5""", Tuple.class)
                .setParameter(1, WORK_KIND).setParameter(2, launchId).setParameter(3, after).setParameter(4, status)
                .setParameter(5, limit + 1).getResultList();
        Keyset<DeliveryView> page = Keyset.page(rows, limit, LaunchService::delivery, DeliveryView::id);
        return new DeliveryPage(page.items(), page.next());
    }

    private Launch locked(long id) {
        Launch launch = em.find(Launch.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (launch == null) {
            throw ProblemException.notFound("launch", id, "id");
        }
        return launch;
    }

    /** The user's transition, if LaunchStatus allows it from where the launch is; else 409 naming the statuses it needs. */
    private static LaunchStatus become(Launch launch, LaunchStatus target, String action) {
        if (!LaunchStatus.valueOf(launch.status).canBecome(target)) {
            throw conflict(launch, action, Lifecycle.before(target));
        }
        return target;
    }

    private static ProblemException conflict(Launch launch, String action, Set<LaunchStatus> needed) {
        return new ProblemException(Response.Status.CONFLICT, "cannot " + action + " launch " + launch.id + ": it is "
                + launch.status, "status", "is " + launch.status + "; " + action + " needs one of " + needed);
    }

    static List<String> names(Enum<?>[] values) {
        return java.util.Arrays.stream(values).map(Enum::name).toList();
    }

    private LaunchView view(Launch launch) {
        return views(List.of(launch)).get(launch.id);
    }

    /** Views of these launches with their lists and content versions, in two queries whatever their number. */
    private Map<Long, LaunchView> views(List<Launch> launches) {
        Long[] ids = launches.stream().map(l -> l.id).toArray(Long[]::new);
        em.flush();
        @SuppressWarnings("unchecked")
        List<Tuple> lists = em.createNativeQuery("""
                SELECT launch_id, list_id, list_name FROM launch_list WHERE launch_id = ANY(CAST(?1 AS bigint[])) ORDER BY list_id""",
                Tuple.class).setParameter(1, ids).getResultList();
        Map<Long, List<LaunchView.ListRef>> byLaunch = lists.stream().collect(Collectors.groupingBy(
                t -> t.get("launch_id", Number.class).longValue(),
                Collectors.mapping(t -> new LaunchView.ListRef(t.get("list_id", Number.class).longValue(), t.get("list_name", String.class)),
                        Collectors.toList())));
        @SuppressWarnings("unchecked")
        List<Tuple> versions = em.createNativeQuery("""
                SELECT l.id, v.version FROM launch l JOIN bulk_action_version v ON v.id = l.content_version_id
                WHERE l.id = ANY(CAST(?1 AS bigint[]))""", Tuple.class).setParameter(1, ids).getResultList();
        Map<Long, Integer> versionOf = versions.stream().collect(Collectors.toMap(t -> t.get("id", Number.class).longValue(),
                t -> t.get("version", Number.class).intValue()));
        return launches.stream().collect(Collectors.toMap(l -> l.id,
                l -> LaunchView.of(l, versionOf.get(l.id), byLaunch.getOrDefault(l.id, List.of()))));
    }

    private String hash(LaunchRequest request) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(json.writeValueAsString(request).getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String write(LaunchView view) {
        try {
            return json.writeValueAsString(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long idOrNull(Tuple r, String column) {
        Number n = r.get(column, Number.class);
        return n == null ? null : n.longValue();
    }

    static DeliveryView delivery(Tuple r) {
        return new DeliveryView(r.get("id", Number.class).longValue(), idOrNull(r, "contact_id"), r.get("email", String.class),
                r.get("status", String.class), r.get("attempts", Number.class).intValue(), r.get("last_reply", String.class),
                r.get("message_id", String.class), r.get("possible_duplicate", Boolean.class), Times.offset(r.get("sent_at")),
                idOrNull(r, "activity_id"), r.get("bounce", String.class), r.get("bounce_diagnostic", String.class),
                Times.offset(r.get("bounced_at")), Times.offset(r.get("complained_at")));
    }
}
