package org.crmbulk.api.consent;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Whom to erase, by contact or (for a contact already deleted) by address, exactly one; and why, for the audit. */
public record ErasureRequest(@Min(1) Long contactId, @ValidEmail @Size(max = 254) String email,
        @NotBlank @Size(max = 500) @NoLineBreaks String reason) {
}
