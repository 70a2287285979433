package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.SourceException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * Runs the DDL pgcdc issues at start (publication and replica identity changes) in one
 * transaction with a {@code lock_timeout}, so that it never waits behind a long transaction on a
 * captured table. That wait would be harmful, not just slow: {@code ALTER TABLE ... REPLICA
 * IDENTITY} asks for an ACCESS EXCLUSIVE lock, and while it waits in the lock queue every later
 * query on the table, reads included, waits behind it.
 */
final class DdlTransaction {

    /** How long a statement may wait for a lock before the start fails; short because the application's queries queue behind it. */
    static final Duration LOCK_TIMEOUT = Duration.ofSeconds(5);

    /** SQLSTATE lock_not_available, what {@code lock_timeout} raises. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private DdlTransaction() {
    }

    /**
     * Runs {@code statements} in one transaction (all or nothing) with {@link #LOCK_TIMEOUT}.
     *
     * @param what   what the statements do, for the error: "set the replica identity of \"public\".\"orders\""
     * @param advice appended to a failure: what the user can do instead, with the statements to run by hand
     * @throws SourceException naming {@code what}, and the lock timeout when that was the cause
     */
    static void run(Connection connection, String what, List<String> statements, String advice) {
        try {
            runInTransaction(connection, statements);
        } catch (SQLException e) {
            if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw new SourceException("cannot " + what + ": another session holds a conflicting lock and did not release it within "
                        + "pgcdc's lock timeout of " + LOCK_TIMEOUT.toSeconds() + " s (" + e.getMessage() + "); the change was rolled back. Find "
                        + "that session in pg_locks and pg_stat_activity and start pgcdc again when it is done. " + advice, e);
            }
            throw new SourceException("cannot " + what + ": " + e.getMessage() + ". " + advice, e);
        }
    }

    private static void runInTransaction(Connection connection, List<String> statements) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            // SET LOCAL: the timeout ends with this transaction and leaves the connection's settings alone
            statement.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT.toMillis() + "ms'");
            for (String sql : statements) {
                statement.execute(sql);
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        connection.setAutoCommit(autoCommit);
    }
}
