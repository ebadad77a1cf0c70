package org.crmbulk.api.list;

import java.util.List;

/** Members in contact-ID order; pass {@code nextAfter} as {@code after} for the next page. */
public record MemberPage(List<Member> items, Long nextAfter) {

    public record Member(long contactId, String externalId, String email, String firstName, String lastName,
            boolean optedOut) {
    }
}
