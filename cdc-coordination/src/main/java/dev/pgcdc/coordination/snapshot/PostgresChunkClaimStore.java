package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaim;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.JobProgress;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.source.DatabaseConnections;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChunkClaimStore} in PostgreSQL tables of a schema of their own ({@value #DEFAULT_SCHEMA} unless
 * configured): {@code snapshot_job} (one row per job: state, planner and its heartbeat, exported
 * snapshot, consistent LSN, timestamps, failure) and {@code snapshot_chunk} (one row per chunk: table,
 * range, state pending/claimed/done, owner, heartbeat, row count, done time), created on first use by
 * {@link CoordinationMigrations} (idempotent, safe when several instances start together).
 *
 * <p>Every method is one short transaction on a connection opened for it from
 * {@link DatabaseConnections} and closed after it. Times are the database's clock, so instances whose
 * clocks disagree still agree on which claims are stale. Claims use {@code FOR UPDATE SKIP LOCKED}:
 * concurrent claimers never block each other and never get the same chunk.
 *
 * <p>Beyond the port's contract: {@link #savePlan} by an instance that is no longer the planner
 * (another took over) throws {@link ClaimStoreException} and stores nothing, so two plans never mix;
 * {@link #markDone} repeated by the owner of an already done chunk with the same row count is true
 * (a retry after a lost answer); {@link #fail} leaves a COMPLETED or already FAILED job as it is.
 *
 * <p>Thread-safe; any number of threads and instances may share one job.
 */
public final class PostgresChunkClaimStore implements ChunkClaimStore {
    /** The schema used when none is configured. */
    public static final String DEFAULT_SCHEMA = "pgcdc";

    private static final Logger LOG = LoggerFactory.getLogger(PostgresChunkClaimStore.class);

    private final CoordinationTables tables;
    private final Transactions transactions;
    private final CoordinationMigrations migrations;
    private final JobRecords jobs;
    private final ChunkClaims chunks;
    /** True once the migrations ran in this store; written under {@code this}. */
    private volatile boolean migrated;

    /** A store in schema {@value #DEFAULT_SCHEMA}. */
    public PostgresChunkClaimStore(DatabaseConnections connections) {
        this(connections, DEFAULT_SCHEMA);
    }

    /** A store in {@code schema} (as PostgreSQL spells it, unquoted; any characters but NUL). */
    public PostgresChunkClaimStore(DatabaseConnections connections, String schema) {
        Objects.requireNonNull(connections, "connections");
        this.tables = new CoordinationTables(schema);
        this.transactions = new Transactions(connections, tables);
        this.migrations = new CoordinationMigrations(transactions, tables);
        this.jobs = new JobRecords(tables);
        this.chunks = new ChunkClaims(tables);
    }

    /** The schema of the coordination tables, unquoted. */
    public String schema() {
        return tables.schema();
    }

    /**
     * Creates the schema and tables if needed and brings them to the current version; every other
     * method does it on first use, so calling it is optional (it reports a missing privilege early).
     *
     * @throws ClaimStoreException naming the schema and the missing privilege when the role may not create them
     */
    public void migrate() {
        if (!migrated) {
            synchronized (this) {
                if (!migrated) {
                    migrations.migrate();
                    migrated = true;
                }
            }
        }
    }

    @Override
    public SnapshotJob openJob(String jobId, String instanceId) {
        migrate();
        return transactions.run("open snapshot job \"" + jobId + "\"", connection -> {
            if (jobs.createIfAbsent(connection, jobId, instanceId)) {
                LOG.info("snapshot job \"{}\" created; instance \"{}\" plans it", jobId, instanceId);
            }
            return jobs.read(connection, jobId).orElseThrow(() -> new ClaimStoreException("snapshot job \"" + jobId
                    + "\" vanished while it was opened (discarded by another instance at the same time); open it again"));
        });
    }

    @Override
    public Optional<SnapshotJob> job(String jobId) {
        migrate();
        return transactions.run("read snapshot job \"" + jobId + "\"", connection -> jobs.read(connection, jobId));
    }

    @Override
    public boolean takeOverPlanning(String jobId, String instanceId, Duration claimTimeout) {
        requirePositive(claimTimeout);
        migrate();
        return transactions.run("take over planning of snapshot job \"" + jobId + "\"",
                connection -> jobs.takeOverPlanning(connection, jobId, instanceId, claimTimeout));
    }

    @Override
    public void savePlan(String jobId, String instanceId, String snapshotId, Lsn consistentPoint, List<Chunk> plan) {
        for (Chunk chunk : plan) {
            if (!chunk.jobId().equals(jobId)) {
                throw new IllegalArgumentException("chunk " + chunk.chunkId() + " belongs to job \"" + chunk.jobId() + "\", not \"" + jobId + "\"");
            }
        }
        migrate();
        transactions.run("save the plan of snapshot job \"" + jobId + "\"", connection -> {
            JobRecords.Locked job = jobs.lock(connection, jobId).orElseThrow(() -> new ClaimStoreException("snapshot job \"" + jobId
                    + "\" does not exist (discarded?); its plan is not saved"));
            if (job.state() != SnapshotJob.State.PLANNING) {
                LOG.info("snapshot job \"{}\" is {} and keeps its plan; the plan of instance \"{}\" is not saved", jobId, job.state(), instanceId);
                return null;
            }
            if (!job.planner().equals(instanceId)) {
                throw new ClaimStoreException("instance \"" + instanceId + "\" is no longer the planner of snapshot job \"" + jobId
                        + "\": instance \"" + job.planner() + "\" took over planning; its plan is not saved");
            }
            chunks.insertPending(connection, plan);
            jobs.start(connection, jobId, snapshotId, consistentPoint);
            LOG.info("snapshot job \"{}\" planned by instance \"{}\": {} chunk(s), snapshot {}, consistent point {}", jobId, instanceId,
                    plan.size(), snapshotId, consistentPoint);
            return null;
        });
    }

    @Override
    public Optional<Chunk> claimNext(String jobId, String instanceId, Duration claimTimeout) {
        return claim(jobId, instanceId, claimTimeout).map(ChunkClaim::chunk);
    }

    /** The previous owner is the instance whose claim was taken over, or the one that released the chunk last. */
    @Override
    public Optional<ChunkClaim> claim(String jobId, String instanceId, Duration claimTimeout) {
        requirePositive(claimTimeout);
        migrate();
        return transactions.run("claim a chunk of snapshot job \"" + jobId + "\"", connection -> {
            if (!chunks.isRunning(connection, jobId)) {
                return Optional.empty();
            }
            Optional<ChunkClaim> pending = chunks.claimPending(connection, jobId, instanceId);
            return pending.isPresent() ? pending : chunks.claimStale(connection, jobId, instanceId, claimTimeout);
        });
    }

    @Override
    public boolean remembersOwners() {
        return true;
    }

    @Override
    public void heartbeat(String jobId, String instanceId) {
        migrate();
        transactions.run("heartbeat the claims of instance \"" + instanceId + "\" in snapshot job \"" + jobId + "\"", connection -> {
            chunks.heartbeat(connection, jobId, instanceId);
            jobs.heartbeatPlanner(connection, jobId, instanceId);
            return null;
        });
    }

    @Override
    public boolean markDone(Chunk chunk, String instanceId, long rows) {
        migrate();
        boolean done = transactions.run("mark chunk " + chunk.chunkId() + " of snapshot job \"" + chunk.jobId() + "\" done",
                connection -> chunks.markDone(connection, chunk, instanceId, rows));
        if (!done) {
            LOG.warn("snapshot job \"{}\": chunk {} was not marked done by instance \"{}\", which no longer holds its claim", chunk.jobId(),
                    chunk.chunkId(), instanceId);
        }
        return done;
    }

    @Override
    public void release(Chunk chunk, String instanceId) {
        migrate();
        transactions.run("release chunk " + chunk.chunkId() + " of snapshot job \"" + chunk.jobId() + "\"",
                connection -> chunks.release(connection, chunk, instanceId));
    }

    @Override
    public JobProgress progress(String jobId) {
        migrate();
        return transactions.run("read the progress of snapshot job \"" + jobId + "\"", connection -> chunks.progress(connection, jobId));
    }

    @Override
    public boolean completeIfDone(String jobId) {
        migrate();
        return transactions.run("complete snapshot job \"" + jobId + "\"", connection -> jobs.completeIfDone(connection, jobId));
    }

    @Override
    public void fail(String jobId, String reason) {
        migrate();
        boolean failed = transactions.run("mark snapshot job \"" + jobId + "\" failed", connection -> jobs.fail(connection, jobId, reason));
        if (failed) {
            LOG.warn("snapshot job \"{}\" failed: {}", jobId, reason);
        } else {
            LOG.warn("snapshot job \"{}\" is not marked failed ({}): it does not exist or has already ended", jobId, reason);
        }
    }

    @Override
    public void discard(String jobId) {
        migrate();
        if (transactions.run("discard snapshot job \"" + jobId + "\"", connection -> jobs.delete(connection, jobId))) {
            LOG.info("snapshot job \"{}\" discarded with its chunks", jobId);
        }
    }

    /** Closes the connections kept between calls; a later call opens its own again. */
    @Override
    public void close() {
        transactions.close();
    }

    private static void requirePositive(Duration claimTimeout) {
        if (claimTimeout.isNegative() || claimTimeout.isZero()) {
            throw new IllegalArgumentException("claim timeout must be positive, was " + claimTimeout);
        }
    }
}
