package org.crmbulk.api.bulkaction;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Subject and body are templates: {@code {contact.firstName}} and the other contact fields are merged per recipient. */
public record BulkActionRequest(
        @NotBlank @Size(max = 200) @NoLineBreaks String name,
        @NotBlank @ValidEmail String from,
        @NotBlank @Size(max = 998) @NoLineBreaks String subject,
        @NotBlank @Size(max = 1_000_000) String textBody) {
}
