package org.crmbulk.api.consent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.sql.DataSource;

import org.crmbulk.api.common.CsvExport;
import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.common.Times;
import org.crmbulk.api.problem.ProblemException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** Reads the suppression list in keyset pages, and changes it through {@link Suppressions}, its one writer. */
@ApplicationScoped
public class SuppressionService {

    private static final String COLUMNS = "id, address, list_id, reason, source, launch_id, delivery_id, actor, created_at";

    @Inject
    EntityManager em;

    @Inject
    Suppressions suppressions;

    @Inject
    DataSource dataSource;

    @Inject
    org.crmbulk.contract.consent.ErasureKey erasureKey;

    @Transactional
    public SuppressionPage search(String email, Long listId, Suppressions.Reason reason, long after, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM suppression WHERE id > ?1");
        List<Object> params = new ArrayList<>(List.of(after));
        if (email != null) {
            params.add(email.toLowerCase(Locale.ROOT));
            params.add(erasureKey.bytes());
            // An erased address is found by its keyed hash: why it gets no mail is the one thing kept of it.
            sql.append(" AND (address = ?").append(params.size() - 1).append(" OR address_hash = address_hash(?")
                    .append(params.size() - 1).append(", ?").append(params.size()).append("))");
        }
        if (listId != null) {
            params.add(listId);
            sql.append(" AND list_id = ?").append(params.size());
        }
        if (reason != null) {
            params.add(reason.name());
            sql.append(" AND reason = ?").append(params.size());
        }
        params.add(limit + 1);
        sql.append(" ORDER BY id LIMIT ?").append(params.size());
        Query query = em.createNativeQuery(sql.toString(), Tuple.class);
        for (int i = 0; i < params.size(); i++) {
            query.setParameter(i + 1, params.get(i));
        }
        @SuppressWarnings("unchecked")
        List<Tuple> rows = query.getResultList();
        Keyset<SuppressionView> page = Keyset.page(rows, limit, SuppressionService::view, SuppressionView::id);
        return new SuppressionPage(page.items(), page.next());
    }

    public StreamingOutput csv() {
        return CsvExport.stream(dataSource, List.of("id", "email", "listId", "reason", "source", "launchId", "deliveryId", "actor",
                "createdAt"), """
                SELECT id, address, list_id, reason, source, launch_id, delivery_id, actor, created_at FROM suppression
                WHERE id > ? AND address IS NOT NULL ORDER BY id LIMIT ?"""); // an erased address's keyed hash means nothing elsewhere
    }

    @Transactional
    public Optional<SuppressionView> find(long id) {
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("SELECT " + COLUMNS + " FROM suppression WHERE id = ?1", Tuple.class)
                .setParameter(1, id).getResultList();
        return rows.stream().findFirst().map(SuppressionService::view);
    }

    @Transactional
    public SuppressionView add(SuppressionRequest r, String actor) {
        if (r.reason() == Suppressions.Reason.ERASED) {
            throw ProblemException.unprocessable("reason", "ERASED is set only by an erasure (POST /api/v1/erasures)");
        }
        boolean added = suppressions.add(new Suppressions.Entry(r.email(), r.listId(),
                r.reason() == null ? Suppressions.Reason.MANUAL : r.reason(), r.source() == null ? "api" : r.source(), null, null, null, actor));
        if (!added) {
            throw new ProblemException(Response.Status.CONFLICT, "the address is already suppressed "
                    + (r.listId() == null ? "for all marketing mail" : "for list " + r.listId()), "email", "already suppressed in this scope");
        }
        return search(r.email(), r.listId(), null, 0, 1000).items().stream()
                .filter(v -> v.email() != null && java.util.Objects.equals(v.listId(), r.listId())).findFirst().orElseThrow();
    }

    @Transactional
    public boolean remove(long id, String reason, String actor) {
        return suppressions.remove(id, reason, actor);
    }

    private static SuppressionView view(Tuple t) {
        return new SuppressionView(t.get("id", Number.class).longValue(), t.get("address", String.class), longOrNull(t.get("list_id")),
                t.get("reason", String.class), t.get("source", String.class), longOrNull(t.get("launch_id")), longOrNull(t.get("delivery_id")),
                t.get("actor", String.class), Times.offset(t.get("created_at")));
    }

    private static Long longOrNull(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }
}
