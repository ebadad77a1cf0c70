package org.crmbulk.api.list;

import java.util.List;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Contacts named by their IDs or by the calling ERP's external IDs: one of the two, up to 100,000. */
public record MembersRequest(@Size(max = 100_000) List<@NotNull Long> contactIds,
        @Size(max = 100_000) List<@NotNull @Size(max = 200) @NoLineBreaks String> externalIds) {

    boolean byContactIds() {
        return contactIds != null && !contactIds.isEmpty();
    }

    boolean byExternalIds() {
        return externalIds != null && !externalIds.isEmpty();
    }

    int size() {
        return byContactIds() ? contactIds.size() : byExternalIds() ? externalIds.size() : 0;
    }
}
