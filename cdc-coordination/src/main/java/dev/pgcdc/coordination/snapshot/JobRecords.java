package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.position.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job table's statements: creating a job, reading it, planner takeover and heartbeat, and the
 * state changes. Each method runs inside a transaction its caller opened. Every time stored is the
 * database's clock ({@code clock_timestamp()}), never the JVM's, so instances with skewed clocks
 * agree on what is stale. Stateless apart from the table names; thread-safe.
 */
final class JobRecords {
    private static final Logger LOG = LoggerFactory.getLogger(JobRecords.class);

    /** Converts a bound number of milliseconds to an interval. */
    static final String MILLIS = "(? * interval '1 millisecond')";

    private final CoordinationTables tables;

    JobRecords(CoordinationTables tables) {
        this.tables = tables;
    }

    /** Inserts the job in state PLANNING with {@code instanceId} as planner unless it exists; true when inserted. */
    boolean createIfAbsent(Connection connection, String jobId, String instanceId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + tables.jobs()
                + " (job_id, state, planner, planner_heartbeat, created_at, updated_at)"
                + " VALUES (?, 'PLANNING', ?, clock_timestamp(), clock_timestamp(), clock_timestamp()) ON CONFLICT (job_id) DO NOTHING")) {
            insert.setString(1, jobId);
            insert.setString(2, instanceId);
            return insert.executeUpdate() == 1;
        }
    }

    Optional<SnapshotJob> read(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT job_id, state, planner, snapshot_id,"
                + " consistent_lsn::text AS consistent_lsn, created_at, updated_at, failure FROM " + tables.jobs() + " WHERE job_id = ?")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SnapshotJob(row.getString("job_id"), SnapshotJob.State.valueOf(row.getString("state")),
                        row.getString("planner"), Optional.ofNullable(row.getString("snapshot_id")),
                        Optional.ofNullable(row.getString("consistent_lsn")).map(Lsn::parse),
                        row.getObject("created_at", OffsetDateTime.class).toInstant(),
                        row.getObject("updated_at", OffsetDateTime.class).toInstant(), Optional.ofNullable(row.getString("failure"))));
            }
        }
    }

    /** Makes {@code instanceId} the planner of a PLANNING job whose planner's heartbeat is older than {@code timeout}. */
    boolean takeOverPlanning(Connection connection, String jobId, String instanceId, Duration timeout) throws SQLException {
        String previous;
        try (PreparedStatement select = connection.prepareStatement("SELECT planner, extract(epoch FROM clock_timestamp() - planner_heartbeat)"
                + " FROM " + tables.jobs() + " WHERE job_id = ? AND state = 'PLANNING' AND planner_heartbeat < clock_timestamp() - " + MILLIS
                + " FOR UPDATE")) {
            select.setString(1, jobId);
            select.setLong(2, timeout.toMillis());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return false;
                }
                previous = row.getString(1);
                LOG.warn("snapshot job \"{}\": instance \"{}\" takes over planning from instance \"{}\", whose last heartbeat is {} old"
                        + " (claim-timeout {})", jobId, instanceId, previous,
                        Duration.ofMillis(Math.round(row.getDouble(2) * 1000)), timeout);
            }
        }
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.jobs()
                + " SET planner = ?, planner_heartbeat = clock_timestamp() WHERE job_id = ?")) {
            update.setString(1, instanceId);
            update.setString(2, jobId);
            update.executeUpdate();
        }
        return true;
    }

    /** A job's state and planner, read with its row locked. */
    record Locked(SnapshotJob.State state, String planner) {
    }

    /** Locks the job's row and returns its state and planner, or empty when there is no such job. */
    Optional<Locked> lock(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT state, planner FROM " + tables.jobs()
                + " WHERE job_id = ? FOR UPDATE")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(new Locked(SnapshotJob.State.valueOf(row.getString(1)), row.getString(2))) : Optional.empty();
            }
        }
    }

    /** Stores the snapshot and the consistent point and moves the job to RUNNING. */
    void start(Connection connection, String jobId, String snapshotId, Lsn consistentPoint) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.jobs() + " SET state = 'RUNNING', snapshot_id = ?,"
                + " consistent_lsn = ?::pg_lsn, updated_at = clock_timestamp() WHERE job_id = ?")) {
            update.setString(1, snapshotId);
            update.setString(2, consistentPoint == null ? null : consistentPoint.toString());
            update.setString(3, jobId);
            update.executeUpdate();
        }
    }

    /** Refreshes the planner's heartbeat when {@code instanceId} is the job's planner. */
    void heartbeatPlanner(Connection connection, String jobId, String instanceId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.jobs() + " SET planner_heartbeat = clock_timestamp()"
                + " WHERE job_id = ? AND planner = ?")) {
            update.setString(1, jobId);
            update.setString(2, instanceId);
            update.executeUpdate();
        }
    }

    /** Moves a RUNNING job with no unfinished chunk to COMPLETED; true when it is COMPLETED now or was before. */
    boolean completeIfDone(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.jobs() + " j SET state = 'COMPLETED',"
                + " updated_at = clock_timestamp() WHERE j.job_id = ? AND j.state = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM "
                + tables.chunks() + " c WHERE c.job_id = j.job_id AND c.state <> 'done')")) {
            update.setString(1, jobId);
            if (update.executeUpdate() == 1) {
                LOG.info("snapshot job \"{}\" completed", jobId);
                return true;
            }
        }
        return read(connection, jobId).map(job -> job.state() == SnapshotJob.State.COMPLETED).orElse(false);
    }

    /** Marks a PLANNING or RUNNING job FAILED; false when there is no such job or it had already ended. */
    boolean fail(Connection connection, String jobId, String reason) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.jobs() + " SET state = 'FAILED', failure = ?,"
                + " updated_at = clock_timestamp() WHERE job_id = ? AND state IN ('PLANNING', 'RUNNING')")) {
            update.setString(1, reason);
            update.setString(2, jobId);
            return update.executeUpdate() == 1;
        }
    }

    /** Deletes the job and its chunks; true when there was one. */
    boolean delete(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement chunks = connection.prepareStatement("DELETE FROM " + tables.chunks() + " WHERE job_id = ?");
             PreparedStatement job = connection.prepareStatement("DELETE FROM " + tables.jobs() + " WHERE job_id = ?")) {
            chunks.setString(1, jobId);
            chunks.executeUpdate();
            job.setString(1, jobId);
            return job.executeUpdate() == 1;
        }
    }
}
