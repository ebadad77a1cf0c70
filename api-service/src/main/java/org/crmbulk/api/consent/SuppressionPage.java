package org.crmbulk.api.consent;

import java.util.List;

/** One keyset page; pass {@code nextAfter} as {@code after} for the next one (null: no more). */
public record SuppressionPage(List<SuppressionView> items, Long nextAfter) {
}
