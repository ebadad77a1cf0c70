package org.crmbulk.api.consent;

import java.util.List;
import java.util.Optional;

import org.crmbulk.contract.consent.UnsubscribeLinks;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Tuple;
import jakarta.transaction.Transactional;

/** What an unsubscribe link names, and leaving through it: synchronous, idempotent, audited. */
@ApplicationScoped
public class Unsubscribes {

    /** What the recipient may leave: all marketing mail, or only the lists the message was sent to. */
    public enum Scope { ALL, LISTS }

    /** The delivery a valid token names: its address, contact, launch and the launch's lists (ID and name as launched). */
    public record Target(long deliveryId, String email, Long contactId, Long launchId, String language, List<NamedList> lists) {
    }

    public record NamedList(long id, String name) {
    }

    @Inject
    EntityManager em;

    @Inject
    UnsubscribeLinks links;

    @Inject
    Suppressions suppressions;

    /** Empty for a token no configured key signed, or whose delivery is gone: the caller must not tell which. */
    @Transactional
    public Optional<Target> target(String token) {
        var id = links.tokens().verify(token);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<Tuple> rows = em.createNativeQuery("""
                SELECT d.id, d.email, d.contact_id, d.launch_id, c.language
                FROM delivery d LEFT JOIN contact c ON c.id = d.contact_id WHERE d.id = ?1""", Tuple.class)
                .setParameter(1, id.getAsLong()).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Tuple r = rows.get(0);
        Long launchId = r.get("launch_id") == null ? null : r.get("launch_id", Number.class).longValue();
        List<NamedList> lists = List.of();
        if (launchId != null) {
            @SuppressWarnings("unchecked")
            List<Tuple> found = em.createNativeQuery("""
                    SELECT list_id, list_name FROM launch_list WHERE launch_id = ?1 ORDER BY list_id""", Tuple.class)
                    .setParameter(1, launchId).getResultList();
            lists = found.stream().map(l -> new NamedList(l.get("list_id", Number.class).longValue(), l.get("list_name", String.class))).toList();
        }
        return Optional.of(new Target(r.get("id", Number.class).longValue(), r.get("email", String.class),
                r.get("contact_id") == null ? null : r.get("contact_id", Number.class).longValue(), launchId, r.get("language", String.class),
                lists));
    }

    /**
     * Suppresses the target's address in the scope (all marketing mail also opts its contact out) and logs it with
     * the launch and delivery it came through; doing it again changes nothing.
     */
    @Transactional
    public void leave(Target t, Scope scope, String source) {
        if (scope == Scope.LISTS && !t.lists().isEmpty()) {
            for (NamedList list : t.lists()) {
                suppressions.add(new Suppressions.Entry(t.email(), list.id(), Suppressions.Reason.UNSUBSCRIBED, source, t.contactId(),
                        t.launchId(), t.deliveryId(), null));
            }
            return;
        }
        suppressions.add(new Suppressions.Entry(t.email(), null, Suppressions.Reason.UNSUBSCRIBED, source, t.contactId(), t.launchId(),
                t.deliveryId(), null));
        if (t.contactId() != null) {
            int changed = em.createNativeQuery("""
                    UPDATE contact SET opted_out = true, opted_out_at = now(), opt_out_source = ?2, updated_at = now()
                    WHERE id = ?1 AND NOT opted_out""").setParameter(1, t.contactId()).setParameter(2, source).executeUpdate();
            if (changed == 1) {
                suppressions.logContact("OPT_OUT", t.contactId(), t.email(), t.launchId(), t.deliveryId(), source, null);
            }
        }
    }
}
