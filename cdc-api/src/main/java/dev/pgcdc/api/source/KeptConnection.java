package dev.pgcdc.api.source;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * One ordinary connection from {@link DatabaseConnections}, kept open between uses so that a check
 * repeated every second does not cost a connection every second. It is opened on the first use,
 * set up once by the {@link Setup} given (timeouts, application name), and closed when a use fails
 * with an {@link SQLException}, so the next use opens a new one instead of retrying on a connection
 * that may be broken; the failure itself is the caller's to report. A {@link RuntimeException} of
 * the work leaves the connection open (the work failed, not the connection).
 *
 * <p>Thread-safe: uses are serialized, one at a time holds the connection. {@link #close()} closes
 * the connection that is open; a later use opens a new one.
 */
public final class KeptConnection implements AutoCloseable {

    /** Work done on the kept connection; it must not close the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** What is set on a connection right after it is opened, before its first use. */
    @FunctionalInterface
    public interface Setup {
        void apply(Connection connection) throws SQLException;
    }

    private final DatabaseConnections connections;
    private final Setup setup;
    // guarded by this
    private Connection connection;

    /** A holder of connections opened by {@code connections} as they come. */
    public KeptConnection(DatabaseConnections connections) {
        this(connections, opened -> { });
    }

    /** A holder of connections opened by {@code connections}, each set up by {@code setup} once. */
    public KeptConnection(DatabaseConnections connections, Setup setup) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.setup = Objects.requireNonNull(setup, "setup");
    }

    /**
     * Runs {@code work} on the kept connection, opening and setting up one first when none is open.
     *
     * @throws SQLException opening, setting up or the work failed; the connection is closed by then
     */
    public synchronized <T> T use(Work<T> work) throws SQLException {
        Objects.requireNonNull(work, "work");
        try {
            if (connection == null || connection.isClosed()) {
                connection = open();
            }
            return work.run(connection);
        } catch (SQLException e) {
            closeConnection();
            throw e;
        }
    }

    /** For messages: the database, host and user the connections go to ({@link DatabaseConnections#description()}). */
    public String description() {
        return connections.description();
    }

    /** Closes the open connection, if any; a close that fails is ignored (the connection is dropped either way). */
    @Override
    public synchronized void close() {
        closeConnection();
    }

    private Connection open() throws SQLException {
        Connection opened = connections.open();
        try {
            setup.apply(opened);
        } catch (SQLException | RuntimeException e) {
            try {
                opened.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return opened;
    }

    private void closeConnection() {
        if (connection != null) {
            Connection closing = connection;
            connection = null;
            try {
                closing.close();
            } catch (SQLException ignored) {
                // the connection is dropped either way; the next use opens a new one
            }
        }
    }
}
