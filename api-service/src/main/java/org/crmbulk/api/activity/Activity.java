package org.crmbulk.api.activity;

import java.time.OffsetDateTime;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

/** A CRM activity; its parties (responsible, participants, cc) are rows of activity_party. */
@Entity(name = "Activity")
@Table(name = "activity")
public class Activity extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String type;

    public String subject;

    public String body;

    @Column(name = "body_html")
    public String bodyHtml;

    @Column(nullable = false)
    public String status;

    @Column(name = "contact_id")
    public Long contactId;

    @Column(name = "owner_user_id")
    public Long ownerUserId;

    @Column(name = "launch_id")
    public Long launchId;

    @Column(name = "starts_at")
    public OffsetDateTime startsAt;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;


    @PrePersist
    void onCreate() {
        createdAt = OffsetDateTime.now();
        updatedAt = createdAt;
        if (occurredAt == null) {
            occurredAt = createdAt;
        }
    }

}
