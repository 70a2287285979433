package dev.pgcdc.app.slot;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.slot.SlotFigures;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.api.source.KeptConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Reads a slot's figures over one plain (non-replication) JDBC connection of its own, opened through
 * the source's {@link DatabaseConnections} (the same URL, credentials and TLS as the stream's) and
 * kept ({@link KeptConnection}): opened on first use and again after a failure. A network timeout
 * and a query timeout bound every read, so {@code /status} answers 503 promptly when PostgreSQL does
 * not; connecting is bounded by the connection factory's own connect timeout.
 *
 * <p>Thread-safe: reads are serialized on the kept connection.
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

    private final KeptConnection connection;
    private final String slotName;
    private final int queryTimeoutSeconds;
    private final Clock clock;

    /**
     * @param connections the source's connection factory
     * @param slotName    the slot to read
     * @param timeout     bound of each query (the network timeout is twice this)
     */
    public JdbcSlotStatistics(DatabaseConnections connections, String slotName, Duration timeout, Clock clock) {
        this.queryTimeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        int networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, queryTimeoutSeconds * 2000L);
        this.connection = new KeptConnection(connections, opened -> {
            opened.setNetworkTimeout(ABORT_INLINE, networkTimeoutMillis);
            opened.setClientInfo("ApplicationName", "pgcdc-status");
        });
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public SlotFigures read() {
        try {
            return connection.use(open -> {
                try (PreparedStatement statement = open.prepareStatement(QUERY)) {
                    statement.setQueryTimeout(queryTimeoutSeconds);
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
            });
        } catch (SQLException e) {
            throw new CdcException("cannot read slot " + slotName + " of " + connection.description() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    private static Lsn lsn(String text) {
        return text == null ? Lsn.INVALID : Lsn.parse(text);
    }
}
