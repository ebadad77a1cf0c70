package org.crmbulk.api.consent;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import org.crmbulk.api.outbox.Outbox;
import org.crmbulk.api.outbox.OutboxConfig;
import org.crmbulk.contract.consent.ConsentEvents;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The one writer of the suppression list and its audit: every entry added or removed, from any source (an unsubscribe
 * link, the API, later bounces), is logged in consent_event and published as a consent event through the outbox.
 */
@ApplicationScoped
public class Suppressions {

    /** Why an address is suppressed. */
    public enum Reason { UNSUBSCRIBED, HARD_BOUNCE, SOFT_BOUNCES, COMPLAINT, MANUAL, IMPORTED, ERASED }

    /** Where an entry came from and what it is about; {@code listId} null: all marketing mail. */
    public record Entry(String email, Long listId, Reason reason, String source, Long contactId, Long launchId, Long deliveryId,
            String actor) {
    }

    @Inject
    EntityManager em;

    @Inject
    Outbox outbox;

    @Inject
    OutboxConfig outboxConfig;

    /** Adds the entry unless the address is already suppressed in that scope; true when it was added. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean add(Entry e) {
        String address = e.email().toLowerCase(Locale.ROOT);
        int added = em.createNativeQuery("""
                INSERT INTO suppression (address, list_id, reason, source, launch_id, delivery_id, actor)
                VALUES (?1, CAST(?2 AS bigint), ?3, ?4, CAST(?5 AS bigint), CAST(?6 AS bigint), CAST(?7 AS text))
                ON CONFLICT (address, coalesce(list_id, 0)) DO NOTHING""")
                .setParameter(1, address).setParameter(2, e.listId()).setParameter(3, e.reason().name()).setParameter(4, e.source())
                .setParameter(5, e.launchId()).setParameter(6, e.deliveryId()).setParameter(7, e.actor()).executeUpdate();
        if (added == 0) {
            return false;
        }
        log("SUPPRESSED", e.email(), e.contactId(), e.listId(), e.launchId(), e.deliveryId(), e.reason().name(), e.source(), e.actor());
        publish("address.suppressed", e.contactId(), e.listId(), e.launchId(), e.deliveryId(), e.reason().name(), e.source());
        return true;
    }

    /** Removes one entry, with the reason the caller gave: the explicit act that lets the address be mailed again. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean remove(long id, String reason, String actor) {
        @SuppressWarnings("unchecked")
        List<Object[]> removed = em.createNativeQuery("DELETE FROM suppression WHERE id = ?1 RETURNING address, list_id")
                .setParameter(1, id).getResultList();
        if (removed.isEmpty()) {
            return false;
        }
        String address = (String) removed.get(0)[0];
        Long listId = removed.get(0)[1] == null ? null : ((Number) removed.get(0)[1]).longValue();
        log("UNSUPPRESSED", address, null, listId, null, null, reason, "api", actor);
        publish("address.unsuppressed", null, listId, null, null, reason, "api");
        return true;
    }

    /**
     * Replaces every entry of the address with one entry of its keyed hash for all marketing mail (reason ERASED), and
     * logs the erasure without the address; returns the number of entries removed and added.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int erase(String address, org.crmbulk.contract.consent.ErasureKey key, long erasureId, Long[] contactIds, String actor) {
        int removed = em.createNativeQuery("DELETE FROM suppression WHERE address = ?1").setParameter(1, address).executeUpdate();
        int added = em.createNativeQuery("""
                INSERT INTO suppression (address_hash, reason, source, actor) VALUES (address_hash(?1, ?2), 'ERASED', ?3, ?4)
                ON CONFLICT (address_hash, coalesce(list_id, 0)) WHERE address_hash IS NOT NULL DO NOTHING""")
                .setParameter(1, address).setParameter(2, key.bytes()).setParameter(3, "erasure " + erasureId).setParameter(4, actor)
                .executeUpdate();
        Long contactId = contactIds.length == 0 ? null : contactIds[0];
        log("ERASED", null, contactId, null, null, null, Reason.ERASED.name(), "erasure " + erasureId, actor);
        for (Long id : contactIds) {
            publish("contact.erased", id, null, null, null, Reason.ERASED.name(), "erasure " + erasureId);
        }
        if (contactIds.length == 0) {
            publish("contact.erased", null, null, null, null, Reason.ERASED.name(), "erasure " + erasureId);
        }
        return removed + added;
    }

    /** An opt-out or re-consent of a contact, in the same log and on the same topic as the suppression entries. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void logContact(String action, long contactId, String email, Long launchId, Long deliveryId, String source, String actor) {
        log(action, email, contactId, null, launchId, deliveryId, null, source, actor);
        publish(action.equals("OPT_OUT") ? "contact.unsubscribed" : "contact.resubscribed", contactId, null, launchId, deliveryId,
                null, source);
    }

    private void log(String action, String email, Long contactId, Long listId, Long launchId, Long deliveryId, String reason,
            String source, String actor) {
        em.createNativeQuery("""
                INSERT INTO consent_event (contact_id, email, action, source, actor, list_id, launch_id, delivery_id, reason)
                VALUES (CAST(?1 AS bigint), ?2, ?3, ?4, CAST(?5 AS text), CAST(?6 AS bigint), CAST(?7 AS bigint), CAST(?8 AS bigint),
                        CAST(?9 AS text))""")
                .setParameter(1, contactId).setParameter(2, email).setParameter(3, action).setParameter(4, source).setParameter(5, actor)
                .setParameter(6, listId).setParameter(7, launchId).setParameter(8, deliveryId).setParameter(9, reason).executeUpdate();
    }

    /** The event carries IDs, never the address (ConsentEvents). */
    private void publish(String type, Long contactId, Long listId, Long launchId, Long deliveryId, String reason, String source) {
        outbox.enqueue(outboxConfig.consentTopic(), ConsentEvents.key(contactId),
                ConsentEvents.json(type, contactId, listId, launchId, deliveryId, reason, source, Instant.now()));
    }
}
