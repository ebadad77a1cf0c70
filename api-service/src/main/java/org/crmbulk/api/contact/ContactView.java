package org.crmbulk.api.contact;

import java.time.OffsetDateTime;
import java.util.Map;

public record ContactView(long id, String externalId, String email, String firstName, String lastName, String company,
        String language, Map<String, Object> customFields, boolean optedOut, OffsetDateTime optedOutAt,
        String optOutSource, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static ContactView of(Contact c) {
        return new ContactView(c.id, c.externalId, c.email, c.firstName, c.lastName, c.company, c.language,
                c.customFields, c.optedOut, c.optedOutAt, c.optOutSource, c.createdAt, c.updatedAt);
    }
}
