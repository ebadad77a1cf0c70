package org.crmbulk.api.launch;

import java.time.OffsetDateTime;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** One run of a bulk action over lists. The worker owns its progress; api-service creates and reads it. */
@Entity(name = "Launch")
@Table(name = "launch")
public class Launch extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "bulk_action_id", nullable = false)
    public long bulkActionId;

    /** The content version taken at acceptance: what every message of this launch is rendered from. */
    @Column(name = "content_version_id", nullable = false)
    public long contentVersionId;

    @Column(nullable = false)
    public String status;

    public int total;
    public int pending;
    public int sent;
    public int failed;
    public int skipped;
    public int cancelled;
    /** Written by mail-worker as bounces and complaints come back. */
    public int bounced;
    public int complained;

    @Column(name = "possible_duplicates")
    public int possibleDuplicates;

    @Column(name = "launched_by")
    public String launchedBy;

    @Column(name = "launched_by_user_id")
    public Long launchedByUserId;

    @Column(name = "status_changed_by")
    public String statusChangedBy;

    @Column(name = "pause_reason")
    public String pauseReason;

    @Column(name = "scheduled_at")
    public OffsetDateTime scheduledAt;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "started_at")
    public OffsetDateTime startedAt;

    @Column(name = "finished_at")
    public OffsetDateTime finishedAt;
}
