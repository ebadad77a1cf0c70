package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/** A run of an activity's mail task; a CLIENT-mode run is DRAFTED and sends nothing. */
public enum MailJobStatus implements Lifecycle<MailJobStatus>, WorkStatus {
    QUEUED, SENDING, DONE, DONE_WITH_ERRORS, DRAFTED;

    @Override
    public Set<MailJobStatus> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(SENDING);
            case SENDING -> EnumSet.of(DONE, DONE_WITH_ERRORS);
            case DONE, DONE_WITH_ERRORS, DRAFTED -> EnumSet.noneOf(MailJobStatus.class);
        };
    }

    @Override
    public boolean isOpen() {
        return this == QUEUED || this == SENDING;
    }

    @Override
    public boolean isStarted() {
        return this == SENDING;
    }
}
