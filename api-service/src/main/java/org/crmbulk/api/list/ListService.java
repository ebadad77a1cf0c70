package org.crmbulk.api.list;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.crmbulk.api.common.Keyset;
import org.crmbulk.api.problem.ProblemException;
import org.crmbulk.contract.status.LaunchStatus;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.Response;

@ApplicationScoped
public class ListService {

    /** Launch statuses during which a list's members may still be read: the list must not go away. */
    static final List<String> ACTIVE_LAUNCH = Arrays.stream(LaunchStatus.values()).filter(s -> !s.isFinal()).map(Enum::name).toList();

    @Inject
    EntityManager em;

    @Transactional
    public ListView create(ListRequest request) {
        MarketingList list = new MarketingList();
        list.name = request.name();
        list.description = request.description();
        list.persist();
        return ListView.of(list);
    }

    @Transactional
    public Optional<ListView> find(long id) {
        return MarketingList.<MarketingList>findByIdOptional(id).map(ListView::of);
    }

    @Transactional
    public ListPage all(long after, int limit) {
        List<MarketingList> found = MarketingList.<MarketingList>find("id > ?1 ORDER BY id", after).page(0, limit + 1).list();
        Keyset<ListView> page = Keyset.page(found, limit, ListView::of, ListView::id);
        return new ListPage(page.items(), page.next());
    }

    @Transactional
    public ListView patch(long id, ListPatch patch) {
        MarketingList list = existing(id);
        if (patch.name() != null) {
            list.name = patch.name();
        }
        if (patch.description() != null) {
            list.description = patch.description();
        }
        return ListView.of(list);
    }

    /** Refused while a launch over the list is not finished: it still reads the members. */
    @Transactional
    public void delete(long id) {
        MarketingList list = em.find(MarketingList.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (list == null) {
            throw ProblemException.notFound("marketing list", id, "id");
        }
        @SuppressWarnings("unchecked")
        List<Number> active = em.createNativeQuery("""
                SELECT l.id FROM launch l JOIN launch_list ll ON ll.launch_id = l.id
                WHERE ll.list_id = ?1 AND l.status IN (?2) LIMIT 1""")
                .setParameter(1, id).setParameter(2, ACTIVE_LAUNCH).getResultList();
        if (!active.isEmpty()) {
            throw new ProblemException(Response.Status.CONFLICT, "marketing list " + id + " is used by launch "
                    + active.get(0) + ", which has not finished", "id", "a launch over this list is still running");
        }
        // Finished launches keep the list's ID and name in their history (launch_list has no foreign key to it).
        em.createNativeQuery("DELETE FROM list_member WHERE list_id = ?1").setParameter(1, id).executeUpdate();
        list.delete();
    }

    @Transactional
    public MembersChanged addMembers(long listId, MembersRequest request) {
        lockedForMembers(listId);
        // Named query "add members": one pass resolves and inserts; a short count means unknown contacts,
        // and the exception rolls the insert back. Adding a member twice is not an error.
        Tuple counts = (Tuple) em.createNativeQuery("WITH c AS " + contacts(request)
                + ", added AS (INSERT INTO list_member (list_id, contact_id) SELECT :list, c.id FROM c ON CONFLICT DO NOTHING RETURNING 1)"
                + " SELECT (SELECT count(*) FROM c) AS found, (SELECT count(*) FROM added) AS changed", Tuple.class)
                .setParameter("list", listId).setParameter("keys", keys(request)).getSingleResult();
        refuseUnknown(request, counts.get("found", Number.class).longValue());
        return changed(listId, request.size(), counts.get("changed", Number.class).longValue());
    }

    @Transactional
    public MembersChanged removeMembers(long listId, MembersRequest request) {
        lockedForMembers(listId);
        Tuple counts = (Tuple) em.createNativeQuery("WITH c AS " + contacts(request)
                + ", removed AS (DELETE FROM list_member m USING c WHERE m.list_id = :list AND m.contact_id = c.id RETURNING 1)"
                + " SELECT (SELECT count(*) FROM c) AS found, (SELECT count(*) FROM removed) AS changed", Tuple.class)
                .setParameter("list", listId).setParameter("keys", keys(request)).getSingleResult();
        refuseUnknown(request, counts.get("found", Number.class).longValue());
        return changed(listId, request.size(), -counts.get("changed", Number.class).longValue());
    }

    /** Keyset page of members; with {@code notIn}, only those not also members of that list. */
    @Transactional
    public MemberPage members(long listId, Long notIn, long after, int limit) {
        existing(listId);
        if (notIn != null) {
            existing(notIn, "notIn");
        }
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT c.id, c.external_id, c.email, c.first_name, c.last_name, c.opted_out
                FROM list_member m JOIN contact c ON c.id = m.contact_id
                WHERE m.list_id = ?1 AND m.contact_id > ?2
                  AND (CAST(?3 AS bigint) IS NULL
                       OR NOT EXISTS (SELECT 1 FROM list_member o WHERE o.list_id = CAST(?3 AS bigint) AND o.contact_id = m.contact_id))
                ORDER BY m.contact_id LIMIT ?4""", Tuple.class)
                .setParameter(1, listId).setParameter(2, after).setParameter(3, notIn).setParameter(4, limit + 1)
                .getResultList();
        Keyset<MemberPage.Member> page = Keyset.page(rows, limit, r -> new MemberPage.Member(r.get("id", Number.class).longValue(),
                r.get("external_id", String.class), r.get("email", String.class), r.get("first_name", String.class),
                r.get("last_name", String.class), r.get("opted_out", Boolean.class)), MemberPage.Member::contactId);
        return new MemberPage(page.items(), page.next());
    }

    @Transactional
    public ListView copy(long listId, CopyRequest request) {
        MarketingList source = existing(listId);
        MarketingList copy = new MarketingList();
        copy.name = request.name();
        copy.description = source.description;
        copy.persist();
        em.flush();
        // The members are copied set-based; the count is the entity's, written with it.
        copy.memberCount = em.createNativeQuery("INSERT INTO list_member (list_id, contact_id) SELECT ?1, contact_id FROM list_member WHERE list_id = ?2")
                .setParameter(1, copy.id).setParameter(2, listId).executeUpdate();
        return ListView.of(copy);
    }

    /** The distinct contacts a request names, as a SQL subquery. */
    private static String contacts(MembersRequest request) {
        if (!(request.byContactIds() ^ request.byExternalIds())) {
            throw ProblemException.badField("contactIds", "give contactIds or externalIds, one of the two and not empty");
        }
        return request.byContactIds()
                ? "(SELECT DISTINCT x.id FROM unnest(CAST(:keys AS bigint[])) AS u(id) JOIN contact x ON x.id = u.id)"
                : "(SELECT DISTINCT x.id FROM unnest(CAST(:keys AS text[])) AS u(id) JOIN contact x ON x.external_id = u.id)";
    }

    /** Fewer contacts found than named: name the unknown ones; the caller's transaction rolls back. */
    private void refuseUnknown(MembersRequest request, long found) {
        long named = request.byContactIds() ? request.contactIds().stream().distinct().count()
                : request.externalIds().stream().distinct().count();
        if (found == named) {
            return;
        }
        String column = request.byContactIds() ? "contactIds" : "externalIds";
        String unknownQuery = request.byContactIds()
                ? "SELECT CAST(u.id AS text) FROM unnest(CAST(:keys AS bigint[])) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM contact x WHERE x.id = u.id) LIMIT 10"
                : "SELECT u.id FROM unnest(CAST(:keys AS text[])) AS u(id) WHERE NOT EXISTS (SELECT 1 FROM contact x WHERE x.external_id = u.id) LIMIT 10";
        @SuppressWarnings("unchecked")
        List<String> unknown = em.createNativeQuery(unknownQuery).setParameter("keys", keys(request)).getResultList();
        throw new ProblemException(Response.Status.NOT_FOUND, "unknown contacts: " + unknown, column,
                "no contact with " + (request.byContactIds() ? "ID " : "external ID ") + unknown.get(0)
                        + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + "+ others)" : ""));
    }

    private static Object keys(MembersRequest request) {
        return request.byContactIds() ? request.contactIds().toArray(Long[]::new) : request.externalIds().toArray(String[]::new);
    }

    private MembersChanged changed(long listId, int requested, long delta) {
        Number count = (Number) em.createNativeQuery(
                "UPDATE marketing_list SET member_count = member_count + ?1, updated_at = now() WHERE id = ?2 RETURNING member_count")
                .setParameter(1, delta).setParameter(2, listId).getSingleResult();
        return new MembersChanged(listId, requested, Math.abs(delta), count.longValue());
    }

    /** A share lock: members may be added concurrently, but the list cannot be deleted meanwhile. */
    private void lockedForMembers(long id) {
        if (em.find(MarketingList.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_READ) == null) {
            throw ProblemException.notFound("marketing list", id, "id");
        }
    }

    private MarketingList existing(long id) {
        return existing(id, "id");
    }

    private MarketingList existing(long id, String field) {
        MarketingList list = MarketingList.findById(id);
        if (list == null) {
            throw ProblemException.notFound("marketing list", id, field);
        }
        return list;
    }
}
