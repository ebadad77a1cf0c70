package org.crmbulk.api.list;

import java.time.OffsetDateTime;

public record ListView(long id, String name, String description, long memberCount, OffsetDateTime createdAt,
        OffsetDateTime updatedAt) {

    static ListView of(MarketingList l) {
        return new ListView(l.id, l.name, l.description, l.memberCount, l.createdAt, l.updatedAt);
    }
}
