package org.crmbulk.api.activity;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Run a mail task (its ID or an alias) on an activity; subject and bodies default to the activity's. The mail
 * log records the caller from the bearer token; {@code label} is free text the caller may add beside it.
 */
public record MailTaskRequest(@NotBlank @Size(max = 200) @NoLineBreaks String task, @Size(max = 998) @NoLineBreaks String subject,
        @Size(max = 1_000_000) String body, @Size(max = 2_000_000) String bodyHtml,
        @Size(max = 200) @NoLineBreaks String label) {
}
