package org.crmbulk.api.list;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity(name = "MarketingList")
@Table(name = "marketing_list")
public class MarketingList extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    public String description;

    /** Maintained by the statements that add and remove members, in their transaction. */
    @Column(name = "member_count", nullable = false)
    public long memberCount;



}
