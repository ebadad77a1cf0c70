package org.crmbulk.worker.work;

import org.crmbulk.contract.db.DatabaseErrors;

/** The store did not answer or refused; {@link #isTransient()} says whether waiting and trying again can help. */
public class StoreException extends RuntimeException {

    private final boolean isTransient;

    public StoreException(Exception cause) {
        this(cause.getMessage(), cause, DatabaseErrors.isTransient(cause));
    }

    public StoreException(String message, Throwable cause, boolean isTransient) {
        super(message, cause);
        this.isTransient = isTransient;
    }

    /** Connection lost or refused, the server restarting, a serialization conflict: worth trying again. */
    public boolean isTransient() {
        return isTransient;
    }
}
