package org.crmbulk.api.consent;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A suppression entry a caller adds: the address, one list or (null) all marketing mail, why and from where. */
public record SuppressionRequest(@NotNull @ValidEmail @Size(max = 254) String email, @Min(1) Long listId,
        Suppressions.Reason reason, @Size(max = 200) @NoLineBreaks String source) {
}
