package org.crmbulk.api.launch;

import java.time.OffsetDateTime;
import java.util.List;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * Launch a bulk action over lists, now or at {@code scheduledAt}. {@code launchedByUserId} is the
 * CRM user who launched (the owner of created activities when the action says LAUNCHER); the
 * history's {@code launchedBy} is the caller's identity from the bearer token, not something the body says.
 */
public record LaunchRequest(
        @NotNull Long bulkActionId,
        @NotEmpty @Size(max = 100) List<@NotNull Long> listIds,
        Long launchedByUserId,
        OffsetDateTime scheduledAt) {
}
