package org.crmbulk.api.list;

import java.time.OffsetDateTime;

public record ListView(long id, String name, String description, long memberCount, OffsetDateTime createdAt) {
}
