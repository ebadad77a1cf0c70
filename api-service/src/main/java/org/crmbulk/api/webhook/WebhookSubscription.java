package org.crmbulk.api.webhook;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** Who wants which events where; the database's emit_event fans each event out to the active ones (V20). */
@Entity(name = "WebhookSubscription")
@Table(name = "webhook_subscription")
public class WebhookSubscription extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String url;

    @Column(name = "event_types", nullable = false, columnDefinition = "text[]")
    public String[] eventTypes;

    /** The signing secret ({@code whsec_...}): shown once, when it is set. */
    @Column(nullable = false)
    public String secret;

    @Column(nullable = false)
    public boolean active;

    public String description;

    @Column(name = "created_by", nullable = false)
    public String createdBy;
}
