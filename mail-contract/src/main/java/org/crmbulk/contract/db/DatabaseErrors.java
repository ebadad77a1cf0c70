package org.crmbulk.contract.db;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Which database failures are worth trying again: the one classification both services use. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /**
     * Connection refused, lost or timed out (SQLSTATE class 08), the server shutting down or restarting
     * (57P), a serialization failure or deadlock (40001, 40P01), anywhere in the cause chain.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001") || state.equals("40P01")) {
                    return true;
                }
            }
        }
        return false;
    }
}
