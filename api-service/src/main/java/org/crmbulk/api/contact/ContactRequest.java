package org.crmbulk.api.contact;

import java.util.Map;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * A contact as a caller writes it. {@code optOutSource} says where an opt-out came from (an
 * unsubscribe link, the ERP, an import); the time of the opt-out is recorded by the service.
 */
public record ContactRequest(
        @Size(max = 200) @NoLineBreaks String externalId,
        @NotBlank @ValidEmail String email,
        @Size(max = 200) @NoLineBreaks String firstName,
        @Size(max = 200) @NoLineBreaks String lastName,
        @Size(max = 300) @NoLineBreaks String company,
        @Size(max = 35) @NoLineBreaks String language,
        @Size(max = 100) Map<String, Object> customFields,
        Boolean optedOut,
        @Size(max = 200) @NoLineBreaks String optOutSource) {
}
