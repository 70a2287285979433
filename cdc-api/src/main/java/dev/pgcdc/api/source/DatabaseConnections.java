package dev.pgcdc.api.source;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens ordinary (non-replication) connections to the captured database, with the source's settings
 * (host, credentials, TLS, timeouts), for the parts that need SQL beside the stream: slot statistics,
 * snapshot chunk reads, coordination tables. The caller closes what it opens. Thread-safe.
 */
public interface DatabaseConnections {

    /** A new connection, in auto-commit mode. */
    Connection open() throws SQLException;

    /** For messages: database, host and user, never the password. */
    String description();
}
