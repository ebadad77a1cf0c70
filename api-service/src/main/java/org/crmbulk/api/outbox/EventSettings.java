package org.crmbulk.api.outbox;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The event log's settings: the configured switches, written at start where the database's triggers read them
 * (event_setting); and its retention, the same as the events topic's, applied every hour (webhook delivery logs too).
 */
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

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        try {
            int removed = removeExpired();
            if (removed > 0) {
                LOG.infof("events: %d older than %s removed from the event log", removed, config.eventsRetention());
            }
        } catch (RuntimeException e) {
            LOG.warnf("events: removing expired events failed, the next hour retries: %s", e.getMessage());
        }
    }

    /**
     * Events older than the retention, except those still waiting in the outbox or for a webhook, and the finished
     * webhook deliveries of that age; returns how many events went.
     */
    public int removeExpired() {
        String retention = config.eventsRetention().toSeconds() + " seconds";
        return QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("DELETE FROM webhook_delivery WHERE status <> 'PENDING' AND created_at < now() - CAST(?1 AS interval)")
                    .setParameter(1, retention).executeUpdate();
            return em.createNativeQuery("""
                    DELETE FROM event e WHERE e.created_at < now() - CAST(?1 AS interval)
                      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.id)
                      AND NOT EXISTS (SELECT 1 FROM webhook_delivery w WHERE w.event_id = e.id)""")
                    .setParameter(1, retention).executeUpdate();
        });
    }
}
