package org.crmbulk.api.list;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

public record CopyRequest(@NotBlank @Size(max = 200) @NoLineBreaks String name) {
}
