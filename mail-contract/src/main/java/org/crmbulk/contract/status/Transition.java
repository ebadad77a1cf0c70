package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/**
 * A guarded status change as a store writes it ({@code SET status = to WHERE status IN from}), checked
 * against the lifecycle when it is declared: a transition the enum does not allow cannot be written.
 */
public record Transition<S extends Enum<S> & Lifecycle<S>>(Set<S> from, S to) {

    public Transition {
        if (from.isEmpty()) {
            throw new IllegalArgumentException("a transition to " + to + " needs a status to start from");
        }
        for (S s : from) {
            s.become(to);
        }
        from = Set.copyOf(from);
    }

    @SafeVarargs
    public static <S extends Enum<S> & Lifecycle<S>> From<S> from(S first, S... rest) {
        return new From<>(EnumSet.of(first, rest));
    }

    /** The statuses to start from, as SQL binds them ({@code status = ANY(?)}). */
    public String[] fromNames() {
        return from.stream().map(Enum::name).sorted().toArray(String[]::new);
    }

    public record From<S extends Enum<S> & Lifecycle<S>>(Set<S> from) {
        public Transition<S> to(S to) {
            return new Transition<>(from, to);
        }
    }
}
