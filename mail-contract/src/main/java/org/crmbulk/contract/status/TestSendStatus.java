package org.crmbulk.contract.status;

import java.util.EnumSet;
import java.util.Set;

/** A test send of a bulk action to a few addresses. */
public enum TestSendStatus implements Lifecycle<TestSendStatus>, WorkStatus {
    QUEUED, SENDING, DONE;

    @Override
    public Set<TestSendStatus> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(SENDING);
            case SENDING -> EnumSet.of(DONE);
            case DONE -> EnumSet.noneOf(TestSendStatus.class);
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
