package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Runs one piece of coordination work in a short transaction of its own, so that a crash between two
 * calls leaves a consistent record. Connections are kept between calls (at most
 * {@link #MAX_IDLE} idle ones: the claims, heartbeats and job checks of a snapshot come several per
 * second, and a new PostgreSQL session per call cost the server far more than the work); one that
 * failed is closed, never reused, so a lost connection never outlives one call. Failures come back as
 * {@link ClaimStoreException} naming the schema and what was being done.
 *
 * <p>Every session it opens sets {@code idle_in_transaction_session_timeout} (by default
 * {@link #IDLE_IN_TRANSACTION_LIMIT}): an instance frozen between a statement and its commit (SIGSTOP,
 * a VM paused, a long stop-the-world pause) keeps its TCP connection, and with it the row locks of its
 * open transaction; claims skip locked rows, so without the limit the frozen instance's chunks could
 * never be taken over and the job would never complete. PostgreSQL ends such a session after the
 * limit, its locks go with it, and the thawed instance finds its connection closed. Thread-safe.
 */
final class Transactions implements AutoCloseable {

    /** Idle connections kept for the next calls; more concurrent calls open more and close the surplus. */
    static final int MAX_IDLE = 2;

    /**
     * How long a coordination transaction may sit idle between two statements before PostgreSQL ends
     * its session. Its transactions are a few statements each, so this only ends sessions whose
     * process stopped answering.
     */
    static final Duration IDLE_IN_TRANSACTION_LIMIT = Duration.ofSeconds(10);

    /** SQL work on a connection whose transaction {@link Transactions} commits or rolls back. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final DatabaseConnections connections;
    private final CoordinationTables tables;
    private final Duration idleInTransactionLimit;
    private final Deque<Connection> idle = new ArrayDeque<>();
    // guarded by idle
    private boolean closed;

    Transactions(DatabaseConnections connections, CoordinationTables tables) {
        this(connections, tables, IDLE_IN_TRANSACTION_LIMIT);
    }

    Transactions(DatabaseConnections connections, CoordinationTables tables, Duration idleInTransactionLimit) {
        if (idleInTransactionLimit.toMillis() < 1 || idleInTransactionLimit.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("idle-in-transaction limit must be between 1 ms and " + Integer.MAX_VALUE
                    + " ms, was " + idleInTransactionLimit);
        }
        this.connections = connections;
        this.tables = tables;
        this.idleInTransactionLimit = idleInTransactionLimit;
    }

    /** Runs {@code work} in a read-committed transaction and commits it; {@code action} says what it does, for messages. */
    <T> T run(String action, Work<T> work) {
        Connection connection = null;
        try {
            connection = borrow();
            try {
                T result = work.run(connection);
                connection.commit();
                giveBack(connection);
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                closeQuietly(connection);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(action, e);
        }
    }

    /** Closes the idle connections; later calls open and close their own. */
    @Override
    public void close() {
        List<Connection> toClose;
        synchronized (idle) {
            closed = true;
            toClose = new ArrayList<>(idle);
            idle.clear();
        }
        toClose.forEach(Transactions::closeQuietly);
    }

    private Connection borrow() throws SQLException {
        Connection kept;
        synchronized (idle) {
            kept = idle.pollFirst();
        }
        if (kept != null) {
            return kept;
        }
        Connection connection = connections.open();
        try (Statement limit = connection.createStatement()) {
            // a plain SET (never a parameter: SET takes none); a long keeps the text free of anything but digits
            limit.execute("SET idle_in_transaction_session_timeout = " + idleInTransactionLimit.toMillis());
            connection.setAutoCommit(false);
        } catch (SQLException e) {
            closeQuietly(connection);
            throw e;
        }
        return connection;
    }

    private void giveBack(Connection connection) {
        synchronized (idle) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.addFirst(connection);
                return;
            }
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing a connection that failed: nothing left to do
        }
    }

    private ClaimStoreException failure(String action, SQLException e) {
        String message = "coordination schema " + tables.quotedSchema() + " on " + connections.description() + ": cannot " + action + ": "
                + e.getMessage();
        if (INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
            message += " (the role needs USAGE on schema " + tables.quotedSchema() + " and SELECT, INSERT, UPDATE, DELETE on its tables;"
                    + " the simplest is a schema the role owns)";
        }
        return new ClaimStoreException(message, e);
    }

    private static void rollback(Connection connection, Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
