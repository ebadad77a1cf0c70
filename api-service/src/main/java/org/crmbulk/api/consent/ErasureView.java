package org.crmbulk.api.consent;

import java.time.OffsetDateTime;
import java.util.Map;

/** The audit of one erasure: the first contact it deleted (an ID, no longer resolvable), why, who, and the rows it changed per table. */
public record ErasureView(long id, Long contactId, String reason, String actor, Map<String, Integer> rewritten, OffsetDateTime createdAt) {
}
