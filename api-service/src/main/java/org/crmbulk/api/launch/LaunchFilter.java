package org.crmbulk.api.launch;

import java.time.OffsetDateTime;

/** History filters; null means "any". {@code from}/{@code to} bound the creation time. */
public record LaunchFilter(Long bulkActionId, String status, String launchedBy, OffsetDateTime from, OffsetDateTime to) {
}
