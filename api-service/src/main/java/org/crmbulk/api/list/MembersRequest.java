package org.crmbulk.api.list;

import java.util.List;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

public record MembersRequest(@NotEmpty @Size(max = 100_000) List<@NotNull Long> contactIds) {
}
