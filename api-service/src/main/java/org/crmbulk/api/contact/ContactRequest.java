package org.crmbulk.api.contact;

import java.util.Map;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public record ContactRequest(
        @Size(max = 200) @NoLineBreaks String externalId,
        @NotBlank @ValidEmail String email,
        @Size(max = 200) @NoLineBreaks String firstName,
        @Size(max = 200) @NoLineBreaks String lastName,
        @Size(max = 300) @NoLineBreaks String company,
        @Size(max = 35) @NoLineBreaks String language,
        Map<String, Object> customFields,
        Boolean optedOut) {
}
