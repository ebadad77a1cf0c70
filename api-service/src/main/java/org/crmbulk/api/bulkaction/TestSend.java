package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;
import java.util.List;

import org.crmbulk.api.problem.ValidEmail;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * A bulk action's current content (frozen as {@code contentVersion} when requested) sent to a few given
 * addresses only, rendered for {@code contactId} (or with empty fields).
 */
public record TestSend(long id, long bulkActionId, int contentVersion, Long contactId, List<String> addresses, String status,
        List<Result> results, OffsetDateTime createdAt, OffsetDateTime finishedAt) {

    /** The relay's answer for one address: accepted, or the reply (or the reason) it was not. */
    public record Result(String address, boolean accepted, String reply, String messageId) {
    }

    public record Request(@NotEmpty @Size(max = 10) List<@NotNull @ValidEmail String> addresses, Long contactId) {
    }
}
