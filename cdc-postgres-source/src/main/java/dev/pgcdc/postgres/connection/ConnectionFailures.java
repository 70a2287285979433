package dev.pgcdc.postgres.connection;

import java.io.IOException;
import java.sql.SQLException;

/** Tells failures worth a reconnect (the connection or server went away, the slot is briefly busy) from permanent ones. */
public final class ConnectionFailures {

    private ConnectionFailures() {
    }

    /**
     * True for connection exceptions (SQLSTATE class 08), server shutdown or a terminated backend
     * (57P01-57P03), too many connections (53300), a slot still held by a walsender that is going
     * away (55006), and I/O errors without a SQLSTATE.
     */
    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                return state.startsWith("08") || state.startsWith("57P") || state.equals("53300") || state.equals("55006");
            }
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
