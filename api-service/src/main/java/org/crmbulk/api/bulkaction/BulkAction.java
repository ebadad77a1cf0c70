package org.crmbulk.api.bulkaction;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity(name = "BulkAction")
@Table(name = "bulk_action")
public class BulkAction extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(name = "from_address", nullable = false)
    public String fromAddress;

    @Column(name = "subject_template", nullable = false)
    public String subjectTemplate;

    @Column(name = "reply_to")
    public String replyTo;

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



}
