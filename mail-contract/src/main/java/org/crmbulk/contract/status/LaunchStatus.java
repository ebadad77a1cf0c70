package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/**
 * A launch's status. api-service makes the user's transitions (pause, resume, cancel); mail-worker
 * makes the progress ones (a scheduled launch falls due, starts, finishes, pauses itself when the relay
 * keeps refusing).
 */
public enum LaunchStatus implements Lifecycle<LaunchStatus>, WorkStatus {
    SCHEDULED, QUEUED, RUNNING, PAUSED, COMPLETED, COMPLETED_WITH_ERRORS, CANCELLED;

    @Override
    public Set<LaunchStatus> next() {
        return switch (this) {
            case SCHEDULED -> EnumSet.of(QUEUED, PAUSED, CANCELLED);
            case QUEUED -> EnumSet.of(RUNNING, PAUSED, CANCELLED);
            case RUNNING -> EnumSet.of(COMPLETED, COMPLETED_WITH_ERRORS, PAUSED, CANCELLED);
            case PAUSED -> EnumSet.of(SCHEDULED, QUEUED, RUNNING, CANCELLED);
            case COMPLETED, COMPLETED_WITH_ERRORS, CANCELLED -> EnumSet.noneOf(LaunchStatus.class);
        };
    }

    @Override
    public boolean isOpen() {
        return this == QUEUED || this == RUNNING;
    }

    @Override
    public boolean isStarted() {
        return this == RUNNING;
    }
}
