package org.crmbulk.api.user;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public record UserRequest(
        @Size(max = 200) @NoLineBreaks String externalId,
        @NotBlank @ValidEmail String email,
        @Size(max = 200) @NoLineBreaks String firstName,
        @Size(max = 200) @NoLineBreaks String lastName) {
}
