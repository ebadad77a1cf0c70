package org.crmbulk.api.contact;

import java.util.List;

/**
 * What a bulk upsert or a CSV import did. {@code errors} lists the rejected rows (the first 1,000):
 * {@code line} is the CSV line, or the array index for a JSON upsert.
 */
public record UpsertResult(long created, long updated, long rejected, List<RowError> errors) {

    public record RowError(long line, String field, String reason) {
    }
}
