package org.crmbulk.api.codebook;

import java.time.OffsetDateTime;

import org.crmbulk.api.problem.NoLineBreaks;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** One key → value entry of a codebook (O0ciselnik). */
public record CodebookEntry(String codebook, String key, String value, String description, OffsetDateTime updatedAt,
        String updatedBy) {

    /** {@code value} may be empty or one space: in OMAILUL those mean the standard mode. Who changed it comes from the token. */
    public record Request(@NotNull @Size(max = 2000) @NoLineBreaks String value, @Size(max = 2000) String description) {
    }

    public record Audit(long id, String codebook, String key, String oldValue, String newValue, String changedBy,
            OffsetDateTime changedAt) {
    }

    public record Summary(String codebook, long entries) {
    }
}
