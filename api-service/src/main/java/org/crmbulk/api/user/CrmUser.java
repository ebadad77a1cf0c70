package org.crmbulk.api.user;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A CRM user: a responsible person of activities. Deactivated, never deleted, so history keeps its names. */
@Entity(name = "CrmUser")
@Table(name = "crm_user")
public class CrmUser extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "external_id")
    public String externalId;

    @Column(nullable = false)
    public String email;

    @Column(name = "first_name")
    public String firstName;

    @Column(name = "last_name")
    public String lastName;

    @Column(nullable = false)
    public boolean active = true;



}
