package dev.pgcdc.postgres.connection;

import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's connection for catalog look-ups while streaming and heartbeat writes, with every call
 * bounded in time ({@link ConnectionFactory#openCatalog()}); opened on first use and reopened once
 * when it turns out broken. Replication reader thread only (and the starting thread before it runs).
 */
public final class CatalogConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CatalogConnection.class);

    /** Work done on the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final ConnectionFactory factory;
    private Connection connection;

    public CatalogConnection(ConnectionFactory factory) {
        this.factory = factory;
    }

    /**
     * Runs {@code work}; when it fails because the connection broke, reopens it and runs it once more.
     *
     * @throws SQLException the failure of the last attempt
     */
    public <T> T run(Work<T> work) throws SQLException {
        try {
            return work.run(open());
        } catch (SQLException e) {
            if (!ConnectionFailures.isTransient(e)) {
                throw e;
            }
            LOG.info("catalog connection to {} broke ({}); reopening it", factory.description(), e.getMessage());
            closeQuietly();
            return work.run(open());
        }
    }

    private Connection open() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = factory.openCatalog();
        }
        return connection;
    }

    @Override
    public void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing the catalog connection failed", e);
            }
            connection = null;
        }
    }
}
