package org.crmbulk.api.user;

import java.time.OffsetDateTime;
import java.util.List;

public record UserView(long id, String externalId, String email, String firstName, String lastName, boolean active,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static UserView of(CrmUser u) {
        return new UserView(u.id, u.externalId, u.email, u.firstName, u.lastName, u.active, u.createdAt, u.updatedAt);
    }

    public record Page(List<UserView> items, Long nextAfter) {
    }
}
