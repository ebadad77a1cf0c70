package org.crmbulk.api.bulkaction;

import org.crmbulk.api.common.TimestampedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A bulk action: its name and its current content, which is one of its immutable {@link BulkActionVersion}s. */
@Entity(name = "BulkAction")
@Table(name = "bulk_action")
public class BulkAction extends TimestampedEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    @Column(name = "current_version_id")
    public Long currentVersionId;
}
