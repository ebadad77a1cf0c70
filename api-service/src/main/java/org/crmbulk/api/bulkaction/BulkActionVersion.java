package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;

/**
 * What a bulk action sends, as it stood at one moment: written once and never changed. Editing the action
 * writes a new version; a launch or a test send keeps the version it was accepted with.
 */
@Entity(name = "BulkActionVersion")
@Table(name = "bulk_action_version")
public class BulkActionVersion extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "bulk_action_id", nullable = false)
    public long bulkActionId;

    @Column(nullable = false)
    public int version;

    @Column(name = "from_address", nullable = false)
    public String fromAddress;

    @Column(name = "from_name")
    public String fromName;

    @Column(name = "reply_to")
    public String replyTo;

    @Column(name = "subject_template", nullable = false)
    public String subjectTemplate;

    @Column(name = "text_template")
    public String textTemplate;

    @Column(name = "html_template")
    public String htmlTemplate;

    @Column(name = "create_activity", nullable = false)
    public boolean createActivity;

    @Column(name = "activity_type")
    public String activityType;

    @Column(name = "activity_owner")
    public String activityOwner;

    @Column(name = "activity_owner_user_id")
    public Long activityOwnerUserId;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "created_by")
    public String createdBy;

    @PrePersist
    void stamp() {
        createdAt = OffsetDateTime.now();
    }

    /** A new version with this one's content, to be changed before it is persisted. */
    BulkActionVersion next() {
        BulkActionVersion v = new BulkActionVersion();
        v.bulkActionId = bulkActionId;
        v.version = version + 1;
        v.fromAddress = fromAddress;
        v.fromName = fromName;
        v.replyTo = replyTo;
        v.subjectTemplate = subjectTemplate;
        v.textTemplate = textTemplate;
        v.htmlTemplate = htmlTemplate;
        v.createActivity = createActivity;
        v.activityType = activityType;
        v.activityOwner = activityOwner;
        v.activityOwnerUserId = activityOwnerUserId;
        return v;
    }
}
