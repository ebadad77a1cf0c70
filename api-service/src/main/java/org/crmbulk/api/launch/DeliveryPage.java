package org.crmbulk.api.launch;

import java.util.List;

/** One keyset page; pass {@code nextAfter} as {@code after} for the next one (null: no more). */
public record DeliveryPage(List<DeliveryView> items, Long nextAfter) {
}
