package org.crmbulk.api.launch;

import java.util.List;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

public record LaunchRequest(
        @NotNull Long bulkActionId,
        @NotEmpty @Size(max = 100) List<@NotNull Long> listIds,
        @Size(max = 200) @NoLineBreaks String launchedBy) {
}
