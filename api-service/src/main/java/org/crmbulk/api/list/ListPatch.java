package org.crmbulk.api.list;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Rename or describe a list; a field left out stays as it is. */
public record ListPatch(@Size(min = 1, max = 200) @Pattern(regexp = ".*\\S.*", message = "must not be blank") @NoLineBreaks String name,
        @Size(max = 2000) String description) {
}
