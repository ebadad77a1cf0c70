package org.crmbulk.api.bulkaction;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What to send. Subject and bodies are Qute templates ({@code {contact.firstName}},
 * {@code {contact.custom.city}}), checked when saved; give a text body, an HTML body, or both (an
 * HTML-only action gets a generated text part). Every save makes a new content version.
 */
public record BulkActionRequest(
        @NotBlank @Size(max = 200) @NoLineBreaks String name,
        @NotBlank @ValidEmail String from,
        @Size(max = 200) @NoLineBreaks String fromName,
        @ValidEmail String replyTo,
        @NotBlank @Size(max = 998) @NoLineBreaks String subject,
        @Size(max = 1_000_000) String textBody,
        @Size(max = 2_000_000) String htmlBody,
        @Valid ActivityOption activity) {

    /**
     * Create a CRM activity for each recipient the mail reached, of {@code type} (as activities have).
     * {@code owner}: LAUNCHER (the launch's {@code launchedByUserId}, then required) or FIXED ({@code ownerUserId}).
     */
    public record ActivityOption(boolean create,
            @Pattern(regexp = "EMAIL|CALL|MEETING|TASK|NOTE", message = "must be one of EMAIL, CALL, MEETING, TASK, NOTE") String type,
            @Pattern(regexp = "LAUNCHER|FIXED", message = "must be one of LAUNCHER, FIXED") String owner, Long ownerUserId) {
    }
}
