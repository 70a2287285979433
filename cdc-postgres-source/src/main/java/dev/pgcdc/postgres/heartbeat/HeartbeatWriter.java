package dev.pgcdc.postgres.heartbeat;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.connection.CatalogConnection;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a one-row table ({@code id int primary key, last_heartbeat timestamptz}) updated every
 * interval, so the slot sees a change of its own database even when the captured tables are quiet
 * while other databases of the cluster write WAL. The table is in the publication; its changes
 * never reach handlers (the source does not capture it) and are confirmed with their
 * transaction. A failed write is logged and tried again next interval: the heartbeat is not data.
 * Each write is bounded by the catalog connection's statement and socket timeouts, since it runs
 * on the replication reader's thread between status updates. Replication reader thread only.
 */
public final class HeartbeatWriter {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWriter.class);

    private final CatalogConnection connection;
    private final TableId table;
    private final long intervalNanos;
    private final String upsert;
    private long lastBeatNanos;
    private boolean failing;

    public HeartbeatWriter(CatalogConnection connection, TableId table, Duration interval) {
        this.connection = connection;
        this.table = table;
        this.intervalNanos = interval.toNanos();
        this.upsert = "INSERT INTO " + Sql.table(table) + " (id, last_heartbeat) VALUES (1, now()) "
                + "ON CONFLICT (id) DO UPDATE SET last_heartbeat = excluded.last_heartbeat";
        this.lastBeatNanos = System.nanoTime() - intervalNanos;
    }

    /** Creates the table when it is missing and {@code create} is set; otherwise a missing table is an error. */
    public void prepare(boolean create) {
        try {
            boolean exists = connection.run(c -> {
                try (PreparedStatement statement = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                    statement.setString(1, Sql.table(table));
                    try (ResultSet row = statement.executeQuery()) {
                        row.next();
                        return row.getBoolean(1);
                    }
                }
            });
            if (exists) {
                return;
            }
            String ddl = "CREATE TABLE IF NOT EXISTS " + Sql.table(table) + " (id int PRIMARY KEY, last_heartbeat timestamptz NOT NULL)";
            if (!create) {
                throw new SourceException("heartbeat table " + table + " does not exist; set publication.create-if-not-exists = true or run: "
                        + ddl + ";");
            }
            connection.run(c -> {
                try (Statement statement = c.createStatement()) {
                    return statement.execute(ddl);
                }
            });
            LOG.info("created heartbeat table {}", table);
        } catch (SQLException e) {
            throw new SourceException("cannot prepare heartbeat table " + table + ": " + e.getMessage(), e);
        }
    }

    /** Writes a heartbeat when the interval has passed since the last one. */
    public void beatIfDue() {
        long now = System.nanoTime();
        if (now - lastBeatNanos < intervalNanos) {
            return;
        }
        lastBeatNanos = now;
        try {
            connection.run(c -> {
                try (Statement statement = c.createStatement()) {
                    return statement.executeUpdate(upsert);
                }
            });
            if (failing) {
                LOG.info("heartbeat to {} works again", table);
                failing = false;
            }
        } catch (SQLException e) {
            if (!failing) {
                LOG.warn("heartbeat to {} failed ({}); trying again every interval", table, e.getMessage());
                failing = true;
            }
        }
    }
}
