package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/**
 * One recipient of any kind of mail work (a launch's contact, a mail task's participant, a test send's
 * address). A claimed delivery is SENDING; a claim that ran out is claimed again (SENDING to SENDING).
 * SKIPPED and DRAFTED rows are written so from the start; CANCELLED comes with the launch's cancel.
 */
public enum DeliveryStatus implements Lifecycle<DeliveryStatus> {
    PENDING, SENDING, SENT, FAILED, SKIPPED, CANCELLED, DRAFTED;

    @Override
    public Set<DeliveryStatus> next() {
        return switch (this) {
            case PENDING -> EnumSet.of(SENDING, CANCELLED);
            // PENDING again: a retry later, or a message never handed to the relay (its rate window passed).
            case SENDING -> EnumSet.of(SENT, FAILED, SKIPPED, PENDING, SENDING);
            case SENT, FAILED, SKIPPED, CANCELLED, DRAFTED -> EnumSet.noneOf(DeliveryStatus.class);
        };
    }

    /** Still to be sent or being sent: what keeps its work open. */
    public boolean isOpen() {
        return this == PENDING || this == SENDING;
    }
}
