package dev.pgcdc.coordination.snapshot;

import static dev.pgcdc.coordination.snapshot.JobRecords.MILLIS;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaim;
import dev.pgcdc.api.coordination.JobProgress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk table's statements: the plan's insert, claims (pending first, then stale ones taken
 * over), heartbeats, completion, release and the progress counts. Each method runs inside a
 * transaction its caller opened. Claims lock the row they take with {@code FOR UPDATE SKIP LOCKED},
 * so concurrent claimers never wait for each other and never take the same chunk; heartbeat ages are
 * measured on the database's clock. Stateless apart from the table names; thread-safe.
 */
final class ChunkClaims {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkClaims.class);

    private final CoordinationTables tables;

    ChunkClaims(CoordinationTables tables) {
        this.tables = tables;
    }

    /** Inserts every chunk in state pending. */
    void insertPending(Connection connection, List<Chunk> chunks) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + tables.chunks() + " (" + ChunkColumns.INSERTED
                + ", state) VALUES (" + ChunkColumns.PLACEHOLDERS + ", 'pending')")) {
            int batched = 0;
            for (Chunk chunk : chunks) {
                ChunkColumns.bind(connection, insert, chunk);
                insert.addBatch();
                if (++batched % 500 == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }

    /** Whether the job exists and is RUNNING (chunks of other jobs are not handed out). */
    boolean isRunning(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM " + tables.jobs()
                + " WHERE job_id = ? AND state = 'RUNNING'")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Claims the pending chunk with the lowest id that nobody else is claiming right now; its previous
     * owner is the instance that released it last, if any.
     */
    Optional<ChunkClaim> claimPending(Connection connection, String jobId, String instanceId) throws SQLException {
        try (PreparedStatement claim = connection.prepareStatement("WITH picked AS (SELECT chunk_id AS picked_id, owner AS previous_owner FROM "
                + tables.chunks() + " WHERE job_id = ? AND state = 'pending' ORDER BY chunk_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                + " UPDATE " + tables.chunks() + " SET state = 'claimed', owner = ?, heartbeat_at = clock_timestamp(),"
                + " claimed_at = clock_timestamp() FROM picked WHERE job_id = ? AND chunk_id = picked.picked_id"
                + " RETURNING " + ChunkColumns.SELECTED + ", picked.previous_owner")) {
            claim.setString(1, jobId);
            claim.setString(2, instanceId);
            claim.setString(3, jobId);
            try (ResultSet row = claim.executeQuery()) {
                return row.next() ? Optional.of(new ChunkClaim(ChunkColumns.read(row), Optional.ofNullable(row.getString("previous_owner"))))
                        : Optional.empty();
            }
        }
    }

    /** Takes over the claimed chunk with the lowest id whose heartbeat is older than {@code timeout}, logging whose it was. */
    Optional<ChunkClaim> claimStale(Connection connection, String jobId, String instanceId, Duration timeout) throws SQLException {
        long chunkId;
        String previousOwner;
        try (PreparedStatement select = connection.prepareStatement("SELECT chunk_id, owner, extract(epoch FROM clock_timestamp() - heartbeat_at)"
                + " FROM " + tables.chunks() + " WHERE job_id = ? AND state = 'claimed' AND heartbeat_at < clock_timestamp() - " + MILLIS
                + " ORDER BY chunk_id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
            select.setString(1, jobId);
            select.setLong(2, timeout.toMillis());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                chunkId = row.getLong(1);
                previousOwner = row.getString(2);
                LOG.warn("snapshot job \"{}\": instance \"{}\" takes over chunk {} from instance \"{}\", whose last heartbeat is {} old"
                        + " (claim-timeout {})", jobId, instanceId, chunkId, previousOwner,
                        Duration.ofMillis(Math.round(row.getDouble(3) * 1000)), timeout);
            }
        }
        try (PreparedStatement claim = connection.prepareStatement("UPDATE " + tables.chunks() + " SET owner = ?,"
                + " heartbeat_at = clock_timestamp(), claimed_at = clock_timestamp() WHERE job_id = ? AND chunk_id = ?"
                + " RETURNING " + ChunkColumns.SELECTED)) {
            claim.setString(1, instanceId);
            claim.setString(2, jobId);
            claim.setLong(3, chunkId);
            try (ResultSet row = claim.executeQuery()) {
                row.next();
                return Optional.of(new ChunkClaim(ChunkColumns.read(row), Optional.ofNullable(previousOwner)));
            }
        }
    }

    /** Refreshes the heartbeat of every chunk of the job that {@code instanceId} holds; returns how many. */
    int heartbeat(Connection connection, String jobId, String instanceId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.chunks() + " SET heartbeat_at = clock_timestamp()"
                + " WHERE job_id = ? AND owner = ? AND state = 'claimed'")) {
            update.setString(1, jobId);
            update.setString(2, instanceId);
            return update.executeUpdate();
        }
    }

    /** Marks the chunk done when {@code instanceId} holds its claim; true then, and when it already marked it done itself. */
    boolean markDone(Connection connection, Chunk chunk, String instanceId, long rows) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.chunks() + " SET state = 'done', row_count = ?,"
                + " done_at = clock_timestamp(), heartbeat_at = clock_timestamp() WHERE job_id = ? AND chunk_id = ? AND owner = ?"
                + " AND state = 'claimed'")) {
            update.setLong(1, rows);
            update.setString(2, chunk.jobId());
            update.setLong(3, chunk.chunkId());
            update.setString(4, instanceId);
            if (update.executeUpdate() == 1) {
                return true;
            }
        }
        // a retry after a commit whose answer was lost: the chunk is already done by this instance
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM " + tables.chunks()
                + " WHERE job_id = ? AND chunk_id = ? AND owner = ? AND state = 'done' AND row_count = ?")) {
            select.setString(1, chunk.jobId());
            select.setLong(2, chunk.chunkId());
            select.setString(3, instanceId);
            select.setLong(4, rows);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    /**
     * Gives the chunk back (pending) when {@code instanceId} holds its claim; true then. The owner is
     * kept, so that the next claim knows who held it last (an exactly-once snapshot fences it).
     */
    boolean release(Connection connection, Chunk chunk, String instanceId) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE " + tables.chunks() + " SET state = 'pending',"
                + " heartbeat_at = NULL, claimed_at = NULL WHERE job_id = ? AND chunk_id = ? AND owner = ? AND state = 'claimed'")) {
            update.setString(1, chunk.jobId());
            update.setLong(2, chunk.chunkId());
            update.setString(3, instanceId);
            return update.executeUpdate() == 1;
        }
    }

    /** Tables and chunks in the plan and done, and the rows of the done chunks. */
    JobProgress progress(Connection connection, String jobId) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT count(*), count(*) FILTER (WHERE chunks = done),"
                + " coalesce(sum(chunks), 0), coalesce(sum(done), 0), coalesce(sum(rows), 0) FROM (SELECT count(*) AS chunks,"
                + " count(*) FILTER (WHERE state = 'done') AS done, coalesce(sum(row_count) FILTER (WHERE state = 'done'), 0) AS rows"
                + " FROM " + tables.chunks() + " WHERE job_id = ? GROUP BY table_schema, table_name) AS per_table")) {
            select.setString(1, jobId);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return new JobProgress(row.getInt(1), row.getInt(2), row.getLong(3), row.getLong(4), row.getLong(5));
            }
        }
    }
}
