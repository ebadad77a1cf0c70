package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/**
 * A status of some record with the statuses it may become. The enums implementing it are the only
 * place a status and its transitions are defined; both services map them, and the schema's CHECK
 * constraints list the same values.
 */
public interface Lifecycle<S extends Enum<S> & Lifecycle<S>> {

    /** The statuses this one may become; empty for a final status. */
    Set<S> next();

    default boolean canBecome(S status) {
        return next().contains(status);
    }

    default boolean isFinal() {
        return next().isEmpty();
    }

    /** This status's successor, or an exception naming the refused transition. */
    default S become(S status) {
        if (!canBecome(status)) {
            throw new IllegalStateException(getClass().getSimpleName() + " " + this + " cannot become " + status);
        }
        return status;
    }

    /** Every status that may become {@code target}: what a guarded update must find. */
    static <S extends Enum<S> & Lifecycle<S>> Set<S> before(S target) {
        Set<S> from = EnumSet.noneOf(target.getDeclaringClass());
        for (S s : target.getDeclaringClass().getEnumConstants()) {
            if (s.canBecome(target)) {
                from.add(s);
            }
        }
        return from;
    }
}
