package org.crmbulk.api.activity;

import java.time.OffsetDateTime;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;

/** A CRM activity; its parties (responsible, participants, cc) are rows of activity_party. */
@Entity(name = "Activity")
@Table(name = "activity")
public class Activity extends PanacheEntityBase {

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

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    @PrePersist
    void onCreate() {
        createdAt = OffsetDateTime.now();
        updatedAt = createdAt;
        if (occurredAt == null) {
            occurredAt = createdAt;
        }
    }

    @PreUpdate
    void onUpdate() {
        updatedAt = OffsetDateTime.now();
    }
}
