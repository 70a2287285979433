package dev.pgcdc.postgres.snapshot;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exported snapshot held by one open session that runs nothing else: any further command on an
 * exporting replication connection would end the snapshot. {@link #isAlive()} therefore never touches
 * that session; it asks {@code pg_stat_activity} over another connection whether the backend still
 * exists. Thread-safe.
 */
final class SessionSnapshot implements ExportedSnapshot {

    private static final Logger LOG = LoggerFactory.getLogger(SessionSnapshot.class);

    private final Connection session;
    private final int backendPid;
    private final String snapshotId;
    private final Lsn consistentPoint;
    private final DatabaseConnections connections;
    private final String what;
    private volatile boolean closed;

    SessionSnapshot(Connection session, int backendPid, String snapshotId, Lsn consistentPoint, DatabaseConnections connections, String what) {
        this.session = session;
        this.backendPid = backendPid;
        this.snapshotId = snapshotId;
        this.consistentPoint = consistentPoint;
        this.connections = connections;
        this.what = what;
    }

    @Override
    public String snapshotId() {
        return snapshotId;
    }

    @Override
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    @Override
    public boolean isAlive() {
        if (closed) {
            return false;
        }
        try (Connection connection = connections.open();
             PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_stat_activity WHERE pid = ?")) {
            statement.setInt(1, backendPid);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            LOG.debug("cannot check the session of snapshot {}: {}", snapshotId, e.getMessage());
            return false;
        }
    }

    /** The backend process id of the exporting session. */
    int backendPid() {
        return backendPid;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            session.close();
            LOG.info("closed {} holding snapshot {} (backend {})", what, snapshotId, backendPid);
        } catch (SQLException e) {
            LOG.debug("closing {} of snapshot {} failed", what, snapshotId, e);
        }
    }

    @Override
    public String toString() {
        return "snapshot " + snapshotId + " at " + consistentPoint + " (" + what + ", backend " + backendPid + ")";
    }
}
