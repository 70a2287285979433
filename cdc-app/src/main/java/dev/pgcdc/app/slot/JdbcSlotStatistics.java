package dev.pgcdc.app.slot;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Reads a slot's figures over one plain (non-replication) JDBC connection of its own, opened through
 * the source's {@link DatabaseConnections} (the same URL, credentials and TLS as the stream's) on
 * first use and again after a failure. A network timeout and a query timeout bound every read, so
 * {@code /status} answers 503 promptly when PostgreSQL does not; connecting is bounded by the
 * connection factory's own connect timeout.
 *
 * <p>Thread-safe: reads are serialized on the connection.
 */
public final class JdbcSlotStatistics implements SlotStatistics {

    private static final String QUERY = """
            SELECT s.slot_name IS NOT NULL AS present, s.active, s.active_pid,
                   s.restart_lsn::text, s.confirmed_flush_lsn::text, s.wal_status,
                   CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text AS current_lsn
            FROM (SELECT 1) AS one
            LEFT JOIN pg_replication_slots s ON s.slot_name = ?""";

    /** Runs pgjdbc's abort of a connection whose network timeout expired: on the reading thread, nothing to hand off. */
    private static final Executor ABORT_INLINE = Runnable::run;

    private final DatabaseConnections connections;
    private final String slotName;
    private final Duration timeout;
    private final Clock clock;
    // guarded by this
    private Connection connection;

    /**
     * @param connections the source's connection factory
     * @param slotName    the slot to read
     * @param timeout     bound of each query (the network timeout is twice this)
     */
    public JdbcSlotStatistics(DatabaseConnections connections, String slotName, Duration timeout, Clock clock) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        this.timeout = timeout;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized SlotFigures read() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = open();
            }
            try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
                statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                statement.setString(1, slotName);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    Lsn current = lsn(row.getString("current_lsn"));
                    if (!row.getBoolean("present")) {
                        return SlotFigures.missing(slotName, current, clock.instant());
                    }
                    return new SlotFigures(slotName, true, row.getBoolean("active"), row.getLong("active_pid"),
                            lsn(row.getString("restart_lsn")), lsn(row.getString("confirmed_flush_lsn")), current,
                            row.getString("wal_status"), clock.instant());
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw new CdcException("cannot read slot " + slotName + " of " + connections.description() + ": " + e.getMessage(), e);
        }
    }

    private Connection open() throws SQLException {
        Connection opened = connections.open();
        try {
            opened.setNetworkTimeout(ABORT_INLINE, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toSeconds()) * 2000));
            opened.setClientInfo("ApplicationName", "pgcdc-status");
        } catch (SQLException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    @Override
    public synchronized void close() {
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // the connection is broken anyway; a new one is opened on the next read
            }
            connection = null;
        }
    }

    private static Lsn lsn(String text) {
        return text == null ? Lsn.INVALID : Lsn.parse(text);
    }
}
