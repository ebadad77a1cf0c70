package org.crmbulk.api.list;

/** {@code added} counts new members; contacts already on the list are not an error and not counted. */
public record MembersAdded(long listId, int requested, int added, long memberCount) {
}
