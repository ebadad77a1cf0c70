package org.crmbulk.api.launch;

import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.bulkaction.BulkAction;
import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.SendJobV1;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class LaunchService {

    static final List<String> DELIVERY_STATUSES = List.of("PENDING", "SENDING", "SENT", "FAILED", "SKIPPED", "CANCELLED");

    @Inject
    EntityManager em;

    @Inject
    Outbox outbox;

    /** Writes the launch and its send job in one transaction; the cost does not grow with the lists' size. */
    @Transactional
    public LaunchView launch(LaunchRequest request) {
        if (BulkAction.findById(request.bulkActionId()) == null) {
            throw ProblemException.notFound("bulk action", request.bulkActionId(), "bulkActionId");
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
        Launch launch = new Launch();
        launch.bulkActionId = request.bulkActionId();
        launch.status = "QUEUED";
        launch.launchedBy = request.launchedBy();
        launch.createdAt = OffsetDateTime.now();
        launch.persist();
        em.createNativeQuery("INSERT INTO launch_list (launch_id, list_id) SELECT ?1, u.id FROM unnest(CAST(?2 AS bigint[])) AS u(id)")
                .setParameter(1, launch.id).setParameter(2, listIds.toArray(Long[]::new)).executeUpdate();
        outbox.enqueue(SendJobV1.launch(launch.id));
        return LaunchView.of(launch, listIds);
    }

    @Transactional
    public Optional<LaunchView> find(long id) {
        return Launch.<Launch>findByIdOptional(id).map(l -> LaunchView.of(l, listIds(id)));
    }

    @Transactional
    public DeliveryPage deliveries(long launchId, String status, long after, int limit) {
        if (Launch.findById(launchId) == null) {
            throw ProblemException.notFound("launch", launchId, "id");
        }
        if (status != null && !DELIVERY_STATUSES.contains(status)) {
            throw ProblemException.badField("status", "must be one of " + DELIVERY_STATUSES);
        }
        // Keyset paging on the primary key: page 10,000 costs what page 1 costs.
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT id, contact_id, email, status, attempts, last_reply, message_id, possible_duplicate, sent_at
                FROM delivery WHERE launch_id = ?1 AND id > ?2 AND (CAST(?3 AS text) IS NULL OR status = CAST(?3 AS text))
                ORDER BY id LIMIT ?4""")
                .setParameter(1, launchId).setParameter(2, after).setParameter(3, status).setParameter(4, limit + 1)
                .getResultList();
        List<DeliveryView> items = rows.stream().limit(limit).map(LaunchService::delivery).toList();
        Long next = rows.size() > limit ? items.get(items.size() - 1).id() : null;
        return new DeliveryPage(items, next);
    }

    private List<Long> listIds(long launchId) {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery("SELECT list_id FROM launch_list WHERE launch_id = ?1 ORDER BY list_id")
                .setParameter(1, launchId).getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    private static DeliveryView delivery(Object[] r) {
        return new DeliveryView(((Number) r[0]).longValue(), r[1] == null ? null : ((Number) r[1]).longValue(),
                (String) r[2], (String) r[3], ((Number) r[4]).intValue(), (String) r[5], (String) r[6],
                (Boolean) r[7], toOffset(r[8]));
    }

    private static OffsetDateTime toOffset(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime o) {
            return o;
        }
        if (value instanceof java.time.Instant i) {
            return i.atOffset(ZoneOffset.UTC);
        }
        return ((Timestamp) value).toInstant().atOffset(ZoneOffset.UTC);
    }
}
