package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs one piece of coordination work in a short transaction of its own, on a connection opened for
 * it and closed after it, so that a crash between two calls leaves a consistent record and a lost
 * connection never outlives one call. Failures come back as {@link ClaimStoreException} naming the
 * schema and what was being done. Thread-safe (nothing is shared between calls).
 */
final class Transactions {

    /** SQL work on a connection whose transaction {@link Transactions} commits or rolls back. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final String INSUFFICIENT_PRIVILEGE = "42501";

    private final DatabaseConnections connections;
    private final CoordinationTables tables;

    Transactions(DatabaseConnections connections, CoordinationTables tables) {
        this.connections = connections;
        this.tables = tables;
    }

    /** Runs {@code work} in a read-committed transaction and commits it; {@code action} says what it does, for messages. */
    <T> T run(String action, Work<T> work) {
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollback(connection, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(action, e);
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
