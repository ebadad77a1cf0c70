package org.crmbulk.api.common;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One keyset page. Queries fetch {@code limit + 1} rows: the extra one only tells that more follow,
 * and the cursor for the next page is the key of the last row shown.
 */
public record Keyset<V>(List<V> items, Long next) {

    public static <E, V> Keyset<V> page(List<E> found, int limit, Function<E, V> view, ToLongFunction<V> key) {
        List<V> items = found.stream().limit(limit).map(view).toList();
        return new Keyset<>(items, found.size() > limit ? key.applyAsLong(items.get(items.size() - 1)) : null);
    }
}
