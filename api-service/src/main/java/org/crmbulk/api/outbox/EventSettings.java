package org.crmbulk.api.outbox;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/** Writes the configured event switches where the database's triggers read them (event_setting), at start. */
@ApplicationScoped
public class EventSettings {

    private static final Logger LOG = Logger.getLogger(EventSettings.class);

    @Inject
    EntityManager em;

    @Inject
    OutboxConfig config;

    void onStart(@Observes StartupEvent event) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "UPDATE event_setting SET enabled = ?1 WHERE name = 'delivery-outcomes' AND enabled IS DISTINCT FROM ?1")
                .setParameter(1, config.eventsDeliveryOutcomes()).executeUpdate());
        LOG.infof("events: delivery outcomes %s", config.eventsDeliveryOutcomes() ? "on" : "off (CRM_EVENTS_DELIVERY_OUTCOMES=false)");
    }
}
