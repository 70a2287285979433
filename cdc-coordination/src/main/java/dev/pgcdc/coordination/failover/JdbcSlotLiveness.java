package dev.pgcdc.coordination.failover;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link SlotHolders} over JDBC: {@code pg_replication_slots.active} and {@code active_pid}, with the
 * walsender's {@code application_name} and client address from {@code pg_stat_replication} (every role
 * sees the application name; the client address only the role that owns the walsender, a superuser or
 * {@code pg_read_all_stats}, otherwise null: LeastPrivilegeEndToEndIT shows both).
 * Keeps one ordinary connection open between checks (a check a second must not cost a connection
 * a second) and opens a new one after a failure. Each query is bounded by {@code queryTimeout}.
 *
 * <p>Thread-safe: the methods are synchronized (the connection is shared).
 */
public final class JdbcSlotLiveness implements SlotHolders, AutoCloseable {

    private static final String QUERY = "SELECT s.active, s.active_pid, r.client_addr::text, r.application_name "
            + "FROM pg_catalog.pg_replication_slots s LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid "
            + "WHERE s.slot_name = ?";

    private final DatabaseConnections connections;
    private final int queryTimeoutSeconds;
    // guarded by this
    private Connection connection;

    public JdbcSlotLiveness(DatabaseConnections connections, Duration queryTimeout) {
        this.connections = Objects.requireNonNull(connections, "connections");
        this.queryTimeoutSeconds = (int) Math.max(1, queryTimeout.toSeconds());
    }

    @Override
    public synchronized SlotHolder holder(String slotName) {
        try {
            if (connection == null) {
                connection = connections.open();
            }
            try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
                statement.setQueryTimeout(queryTimeoutSeconds);
                statement.setString(1, slotName);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        return SlotHolder.free(false);
                    }
                    if (!row.getBoolean(1)) {
                        return SlotHolder.free(true);
                    }
                    return new SlotHolder(true, true, row.getLong(2), row.getString(3), row.getString(4));
                }
            }
        } catch (SQLException e) {
            closeConnection();
            throw new CdcException("cannot read replication slot \"" + slotName + "\" from pg_replication_slots on "
                    + connections.description() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        closeConnection();
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is gone either way
            }
            connection = null;
        }
    }
}
