package org.crmbulk.api.activity;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.problem.NoLineBreaks;
import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * An activity as a caller writes it. Participants and cc recipients are each a contact, a user, or
 * a plain address with a display name; responsible persons are users.
 */
public record ActivityRequest(
        @NotBlank @Pattern(regexp = "EMAIL|CALL|MEETING|TASK|NOTE", message = "must be one of EMAIL, CALL, MEETING, TASK, NOTE") String type,
        @Size(max = 998) @NoLineBreaks String subject,
        @Size(max = 1_000_000) String body,
        @Size(max = 2_000_000) String bodyHtml,
        OffsetDateTime startsAt,
        @Pattern(regexp = "PLANNED|DONE|CANCELLED", message = "must be one of PLANNED, DONE, CANCELLED") String status,
        Long contactId,
        Long ownerUserId,
        @Size(max = 500) List<@NotNull Long> responsibleUserIds,
        @Size(max = 500) List<@NotNull @Valid Party> participants,
        @Size(max = 500) List<@NotNull @Valid Party> cc) {

    /** Exactly one of contactId, userId or email. */
    public record Party(Long contactId, Long userId, @ValidEmail String email, @Size(max = 200) @NoLineBreaks String name) {
    }
}
