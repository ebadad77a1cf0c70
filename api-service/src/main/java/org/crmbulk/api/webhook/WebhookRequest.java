package org.crmbulk.api.webhook;

import java.util.List;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * A subscription as the caller sets it. Without a secret a new one is made on creation (and the old one kept on a
 * change); {@code active} defaults to true.
 */
public record WebhookRequest(@NotNull @Size(max = 2000) String url,
        @NotEmpty @Size(max = 50) List<@NotNull @Size(max = 100) String> eventTypes,
        @Size(max = 200) String secret, Boolean active, @Size(max = 500) @NoLineBreaks String description) {
}
