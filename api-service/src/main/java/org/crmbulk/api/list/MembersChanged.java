package org.crmbulk.api.list;

/** {@code changed} counts members actually added or removed; repeating a call changes nothing and is no error. */
public record MembersChanged(long listId, int requested, long changed, long memberCount) {
}
