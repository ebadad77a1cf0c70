package org.crmbulk.api.contact;

import java.util.List;

/** One keyset page; pass {@code nextAfter} as {@code after} for the next one (null: no more). */
public record ContactPage(List<ContactView> items, Long nextAfter) {
}
