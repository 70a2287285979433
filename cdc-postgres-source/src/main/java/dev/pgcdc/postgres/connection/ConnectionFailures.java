package dev.pgcdc.postgres.connection;

import java.io.IOException;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells failures worth a reconnect (the connection or server went away, the slot is briefly busy) from permanent ones,
 * and explains the permanent ones pgcdc recognises.
 */
public final class ConnectionFailures {

    /** SQLSTATE undefined_object: on a running stream, pgoutput's lookup of a publication that did not exist yet. */
    private static final String UNDEFINED_OBJECT = "42704";
    private static final Pattern MISSING_SLOT = Pattern.compile("replication slot \"(?:[^\"]|\"\")*\" does not exist");
    private static final Pattern PUBLICATION_NAME = Pattern.compile("publication \"((?:[^\"]|\"\")*)\"");

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

    /**
     * The message for a permanent failure of a replication stream that had started: the server's
     * message and, for a failure pgcdc recognises, what happened and what to do. Only for failures
     * after {@code START_REPLICATION} succeeded (the slot exists then).
     */
    public static String streamFailure(String slotName, Throwable failure) {
        String message = "replication from slot \"" + slotName + "\" failed: " + failure.getMessage();
        SQLException sql = sqlException(failure);
        if (sql != null && UNDEFINED_OBJECT.equals(sql.getSQLState())) {
            return message + (isMissingSlot(sql) ? MISSING_SLOT_ADVICE : missingPublicationAdvice(slotName, sql.getMessage()));
        }
        return message;
    }

    /**
     * The message for a permanent failure to resume replication after a lost connection: the
     * server's message and, when the slot is gone (a failover to a server without it), what happened.
     */
    public static String resumeFailure(String slotName, Throwable failure) {
        String message = "cannot resume replication from slot \"" + slotName + "\": " + failure.getMessage();
        SQLException sql = sqlException(failure);
        return sql != null && isMissingSlot(sql) ? message + MISSING_SLOT_ADVICE : message;
    }

    private static final String MISSING_SLOT_ADVICE = ". The server pgcdc reached does not have the slot: most likely a standby was "
            + "promoted and the slot was not a synchronised failover slot (PostgreSQL 17+ with slot.failover = true and the server settings "
            + "of docs/operations.md, \"PostgreSQL failover\"), so it stayed on the old primary. pgcdc stops rather than create a new slot, "
            + "which would skip every change since the old slot's position; nothing after the last delivered change was confirmed. See the "
            + "runbook in docs/operations.md, \"PostgreSQL failover\"";

    private static boolean isMissingSlot(SQLException sql) {
        return UNDEFINED_OBJECT.equals(sql.getSQLState()) && sql.getMessage() != null && MISSING_SLOT.matcher(sql.getMessage()).find();
    }

    /**
     * PostgreSQL 14 to 17 decode old WAL with the catalog as it was when the WAL was written, and
     * pgoutput looks its publications up in that catalog: WAL from before the publication was
     * created fails, at the same place on every restart (18 skips it with a warning instead).
     */
    private static String missingPublicationAdvice(String slotName, String serverMessage) {
        Matcher name = PUBLICATION_NAME.matcher(serverMessage == null ? "" : serverMessage);
        String publication = name.find() ? "publication \"" + name.group(1) + "\"" : "the publication";
        String slot = "'" + slotName.replace("'", "''") + "'";
        return ". The slot's position is older than " + publication + ": the slot still has WAL to decode that was written before the "
                + "publication was created, PostgreSQL (14 to 17) looks the publication up as of that WAL, and every restart fails at the "
                + "same place. Move the slot past the publication's creation, with pgcdc stopped, in one of two ways. (1) Advance it: SELECT "
                + "pg_replication_slot_advance(" + slot + ", pg_current_wal_lsn()); it keeps the slot and its properties. (2) Drop and "
                + "recreate it: SELECT pg_drop_replication_slot(" + slot + "); and start pgcdc with slot.create-if-not-exists = true. "
                + "Both cost the same: the changes written between the slot's position and that moment are not delivered (those before "
                + "the publication's creation were never published; those after it, up to now, are skipped), so re-read the captured "
                + "tables if they changed in that time. To avoid this, create the publication before the slot.";
    }

    private static SQLException sqlException(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql;
            }
        }
        return null;
    }
}
