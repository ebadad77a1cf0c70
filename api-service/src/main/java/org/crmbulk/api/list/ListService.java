package org.crmbulk.api.list;

import java.util.List;
import java.util.Optional;

import org.crmbulk.api.problem.ProblemException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class ListService {

    @Inject
    EntityManager em;

    @Transactional
    public ListView create(ListRequest request) {
        MarketingList list = new MarketingList();
        list.name = request.name();
        list.description = request.description();
        list.persist();
        return view(list);
    }

    @Transactional
    public Optional<ListView> find(long id) {
        return MarketingList.<MarketingList>findByIdOptional(id).map(this::view);
    }

    @Transactional
    public MembersAdded addMembers(long listId, MembersRequest request) {
        if (MarketingList.findById(listId) == null) {
            throw ProblemException.notFound("marketing list", listId, "listId");
        }
        Long[] ids = request.contactIds().stream().distinct().toArray(Long[]::new);
        @SuppressWarnings("unchecked")
        List<Number> unknown = em.createNativeQuery(
                "SELECT u.id FROM unnest(CAST(?1 AS bigint[])) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM contact c WHERE c.id = u.id) LIMIT 20")
                .setParameter(1, ids).getResultList();
        if (!unknown.isEmpty()) {
            throw new ProblemException(Response.Status.NOT_FOUND, "unknown contact IDs: " + unknown, "contactIds",
                    "no contact with ID " + unknown.get(0) + (unknown.size() > 1 ? " (and others)" : ""));
        }
        // Adding a member twice is not an error: the primary key keeps one row.
        int added = em.createNativeQuery(
                "INSERT INTO list_member (list_id, contact_id) SELECT ?1, u.id FROM unnest(CAST(?2 AS bigint[])) AS u(id) ON CONFLICT DO NOTHING")
                .setParameter(1, listId).setParameter(2, ids).executeUpdate();
        return new MembersAdded(listId, request.contactIds().size(), added, memberCount(listId));
    }

    private ListView view(MarketingList list) {
        return new ListView(list.id, list.name, list.description, memberCount(list.id), list.createdAt);
    }

    private long memberCount(long listId) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM list_member WHERE list_id = ?1")
                .setParameter(1, listId).getSingleResult()).longValue();
    }
}
