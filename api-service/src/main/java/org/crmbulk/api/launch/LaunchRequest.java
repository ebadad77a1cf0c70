package org.crmbulk.api.launch;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Launch a bulk action over lists, now or at {@code scheduledAt}. {@code launchedByUserId} is the
 * CRM user who launched (the owner of created activities when the action says LAUNCHER);
 * {@code launchedBy} a free-text name for the history.
 */
public record LaunchRequest(
        @NotNull Long bulkActionId,
        @NotEmpty @Size(max = 100) List<@NotNull Long> listIds,
        @Size(max = 200) @NoLineBreaks String launchedBy,
        Long launchedByUserId,
        OffsetDateTime scheduledAt) {
}
