package org.crmbulk.api.contact;

import java.time.OffsetDateTime;

/**
 * An opt-out, an explicit re-consent, or a suppression entry added or removed for the contact's address: what, from
 * where, by whom, when; the list it was about (null: all marketing mail), the launch and delivery it came through.
 */
public record ConsentEvent(String action, String source, String actor, Long listId, Long launchId, Long deliveryId, String reason,
        OffsetDateTime at) {
}
