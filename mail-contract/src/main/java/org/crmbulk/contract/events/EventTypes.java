package org.crmbulk.contract.events;

import java.util.Set;
import java.util.TreeSet;

/**
 * The event types the database's triggers write (V17, V18), versioned in their names; asyncapi.yaml documents each
 * (EventCatalogueTest keeps the three equal). Webhook subscriptions choose among them.
 */
public final class EventTypes {

    public static final Set<String> ALL = Set.copyOf(new TreeSet<>(Set.of(
            "org.crmbulk.launch.status-changed.v1",
            "org.crmbulk.delivery.sent.v1",
            "org.crmbulk.delivery.failed.v1",
            "org.crmbulk.delivery.bounced.v1",
            "org.crmbulk.delivery.complained.v1",
            "org.crmbulk.contact.unsubscribed.v1",
            "org.crmbulk.contact.resubscribed.v1",
            "org.crmbulk.address.suppressed.v1",
            "org.crmbulk.address.unsuppressed.v1",
            "org.crmbulk.contact.erased.v1",
            "org.crmbulk.mail-task.done.v1",
            "org.crmbulk.codebook.changed.v1")));

    private EventTypes() {
    }
}
