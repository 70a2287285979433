package dev.pgcdc.coordination.failover;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.api.source.KeptConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * {@link SlotHolders} over JDBC: {@code pg_replication_slots.active} and {@code active_pid}, with the
 * walsender's {@code application_name} and client address from {@code pg_stat_replication} (every role
 * sees the application name; the client address only the role that owns the walsender, a superuser or
 * {@code pg_read_all_stats}, otherwise null: LeastPrivilegeEndToEndIT shows both).
 * Keeps one ordinary connection open between checks ({@link KeptConnection}: a check a second must
 * not cost a connection a second) and opens a new one after a failure. Each query is bounded by
 * {@code queryTimeout}.
 *
 * <p>Thread-safe: checks are serialized on the kept connection.
 */
public final class JdbcSlotLiveness implements SlotHolders, AutoCloseable {

    private static final String QUERY = "SELECT s.active, s.active_pid, r.client_addr::text, r.application_name "
            + "FROM pg_catalog.pg_replication_slots s LEFT JOIN pg_catalog.pg_stat_replication r ON r.pid = s.active_pid "
            + "WHERE s.slot_name = ?";

    private final KeptConnection connection;
    private final int queryTimeoutSeconds;

    public JdbcSlotLiveness(DatabaseConnections connections, Duration queryTimeout) {
        this.connection = new KeptConnection(connections);
        this.queryTimeoutSeconds = (int) Math.max(1, queryTimeout.toSeconds());
    }

    @Override
    public SlotHolder holder(String slotName) {
        try {
            return connection.use(open -> {
                try (PreparedStatement statement = open.prepareStatement(QUERY)) {
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
            });
        } catch (SQLException e) {
            throw new CdcException("cannot read replication slot \"" + slotName + "\" from pg_replication_slots on "
                    + connection.description() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }
}
