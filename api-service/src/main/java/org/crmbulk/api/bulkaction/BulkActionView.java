package org.crmbulk.api.bulkaction;

import java.time.OffsetDateTime;

public record BulkActionView(long id, String name, String from, String subject, String textBody,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static BulkActionView of(BulkAction a) {
        return new BulkActionView(a.id, a.name, a.fromAddress, a.subjectTemplate, a.textTemplate, a.createdAt, a.updatedAt);
    }
}
