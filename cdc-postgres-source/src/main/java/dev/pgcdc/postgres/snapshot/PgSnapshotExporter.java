package dev.pgcdc.postgres.snapshot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.snapshot.SnapshotExporter;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.connection.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's {@link SnapshotExporter}.
 *
 * <ul>
 *   <li>{@link #createSlotWithSnapshot}: {@code CREATE_REPLICATION_SLOT "slot" LOGICAL pgoutput (SNAPSHOT 'export')}
 *       (PostgreSQL 15+; {@code ... EXPORT_SNAPSHOT} on 14) on a replication connection that then stays open and
 *       idle (pgcdc starts no transaction on it and sends it nothing) until {@link ExportedSnapshot#close()}: the
 *       snapshot lives as long as that session runs no other command. The walsender itself keeps a transaction
 *       open to hold the snapshot, so {@code pg_stat_activity} shows it {@code idle in transaction} until then.
 *       The consistent point is the slot's {@code consistent_point}. With {@code slot.failover} (PostgreSQL 17+) the
 *       slot is a failover slot: {@code (SNAPSHOT 'export', FAILOVER)}.</li>
 *   <li>{@link #exportSnapshot}: {@code pg_export_snapshot()} and {@code pg_current_wal_lsn()} in one statement of a
 *       REPEATABLE READ, READ ONLY transaction on a regular connection. That session stays <em>idle in
 *       transaction</em> until closed (with {@code idle_in_transaction_session_timeout} off for it); like any open
 *       snapshot it holds back VACUUM, which is why the snapshot job closes it as soon as it is done or failed.</li>
 * </ul>
 * Thread-safe; each call opens its own session.
 */
public final class PgSnapshotExporter implements SnapshotExporter {

    private static final Logger LOG = LoggerFactory.getLogger(PgSnapshotExporter.class);

    private final ConnectionFactory connections;
    private final boolean failover;

    public PgSnapshotExporter(ConnectionFactory connections) {
        this(connections, false);
    }

    /** @param failover create the slot with {@code FAILOVER} (PostgreSQL 17+, {@code slot.failover}) */
    public PgSnapshotExporter(ConnectionFactory connections, boolean failover) {
        this.connections = connections;
        this.failover = failover;
    }

    @Override
    public ExportedSnapshot createSlotWithSnapshot(String slotName) {
        Connection session = null;
        try {
            session = connections.openReplication();
            int major = session.getMetaData().getDatabaseMajorVersion();
            if (failover && major < 17) {
                throw new SourceException("slot.failover = true needs PostgreSQL 17 or newer, but " + connections.description() + " runs "
                        + major + ": set slot.failover = false");
            }
            String command = "CREATE_REPLICATION_SLOT " + Sql.identifier(slotName) + " LOGICAL pgoutput "
                    + (failover ? "(SNAPSHOT 'export', FAILOVER)" : major >= 15 ? "(SNAPSHOT 'export')" : "EXPORT_SNAPSHOT");
            LOG.info("creating replication slot {} with an exported snapshot (waits for the transactions running now to end)", slotName);
            String snapshotId;
            Lsn consistentPoint;
            try (Statement statement = session.createStatement(); ResultSet row = statement.executeQuery(command)) {
                if (!row.next()) {
                    throw new SourceException("CREATE_REPLICATION_SLOT of slot \"" + slotName + "\" returned no row");
                }
                consistentPoint = Lsn.parse(row.getString("consistent_point"));
                snapshotId = row.getString("snapshot_name");
            }
            int pid = session.unwrap(PGConnection.class).getBackendPID();
            LOG.info("created replication slot {} (pgoutput{}) at {} with exported snapshot {}", slotName, failover ? ", failover" : "", consistentPoint, snapshotId);
            return new SessionSnapshot(session, pid, snapshotId, consistentPoint, connections, "the replication session of slot " + slotName);
        } catch (SQLException e) {
            closeQuietly(session);
            if ("42710".equals(e.getSQLState())) {
                throw new SourceException("cannot create replication slot \"" + slotName + "\" with an exported snapshot: it exists already", e);
            }
            throw new SourceException("cannot create replication slot \"" + slotName + "\" with an exported snapshot on "
                    + connections.description() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    @Override
    public ExportedSnapshot exportSnapshot() {
        Connection session = null;
        try {
            session = connections.openRegular();
            try (Statement statement = session.createStatement()) {
                statement.execute("SET idle_in_transaction_session_timeout = 0");
            }
            session.setAutoCommit(false);
            session.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            session.setReadOnly(true);
            String snapshotId;
            Lsn consistentPoint;
            try (Statement statement = session.createStatement();
                 ResultSet row = statement.executeQuery("SELECT pg_catalog.pg_export_snapshot(), pg_catalog.pg_current_wal_lsn()::text")) {
                row.next();
                snapshotId = row.getString(1);
                consistentPoint = Lsn.parse(row.getString(2));
            }
            int pid = session.unwrap(PGConnection.class).getBackendPID();
            LOG.info("exported snapshot {} at {} (its session stays idle in transaction until the snapshot job ends)", snapshotId,
                    consistentPoint);
            return new SessionSnapshot(session, pid, snapshotId, consistentPoint, connections, "the session");
        } catch (SQLException e) {
            closeQuietly(session);
            throw new SourceException("cannot export a snapshot on " + connections.description() + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing a failed exporting session failed", e);
            }
        }
    }
}
