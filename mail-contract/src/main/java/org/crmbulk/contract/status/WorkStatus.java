package org.crmbulk.contract.status;

/** The status of a piece of mail work (a launch, a mail job, a test send) as the worker's one lifecycle reads it. */
public interface WorkStatus {

    /** A worker drives the work, or should: it is queued or started. */
    boolean isOpen();

    /** Started: it is being sent, or waits for retries. */
    boolean isStarted();
}
