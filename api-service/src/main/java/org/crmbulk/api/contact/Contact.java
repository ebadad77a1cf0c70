package org.crmbulk.api.contact;

import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;

import org.crmbulk.api.common.TimestampedEntity;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;

@Entity(name = "Contact")
@jakarta.persistence.Table(name = "contact")
public class Contact extends TimestampedEntity {

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

    public String company;

    public String language;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "custom_fields", nullable = false)
    public Map<String, Object> customFields = new HashMap<>();

    @Column(name = "opted_out", nullable = false)
    public boolean optedOut;

    @Column(name = "opted_out_at")
    public OffsetDateTime optedOutAt;

    @Column(name = "opt_out_source")
    public String optOutSource;



}
