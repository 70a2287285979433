package dev.pgcdc.snapshot;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaim;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.snapshot.ChunkLedger;
import dev.pgcdc.api.snapshot.ChunkMark;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.snapshot.SnapshotExporter;
import dev.pgcdc.api.snapshot.Snapshotter;
import dev.pgcdc.api.snapshot.TableCatalog;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunked, multi-instance {@link Snapshotter}. Every instance with the same job id works on the same
 * job through the {@link ChunkClaimStore}:
 * <ol>
 *   <li>{@link #start()} opens (or joins) the job. A completed job is not taken again unless
 *       {@code resnapshot}; a failed one is discarded and started over.</li>
 *   <li>The job's planner exports the snapshot and plans the chunks ({@link JobPlanner}); the others wait
 *       until the job runs, or take planning over when the planner stopped heartbeating for
 *       {@code claim-timeout}.</li>
 *   <li>Every instance claims chunks and reads each with a {@link ChunkReader} under the job's snapshot,
 *       emitting a {@link Operation#READ} event per row. While it reads one chunk it claims the next (so an
 *       instance holds at most two unread chunks, one being read), so the claim's round trips to the store
 *       do not hold up the reading.</li>
 *   <li>A chunk is marked done only once every one of its rows was {@link #acknowledge acknowledged}.</li>
 *   <li>Exactly-once ({@link #commitThrough} with a sink whose {@link ChunkLedger} commits exactly once): the sink
 *       commits each chunk's rows and its {@link ChunkMark} in one transaction ({@link #endingAt} tells it where chunks
 *       end). A chunk claimed from a previous owner (taken over, or released) is first looked up in the ledger, which
 *       fences that owner's writer: committed, it is marked done without being read again; otherwise it is read. A
 *       read that fails after rows were handed over stops this instance (those rows cannot be taken back), and the
 *       chunk goes to whoever claims it next.</li>
 *   <li>When every chunk of the job is done, the job completes; the planner then closes the exported
 *       snapshot (also when the job fails or this instance stops: an open snapshot holds back VACUUM).</li>
 * </ol>
 *
 * <p>Events: {@code after} = the row (the same values and columns the stream gives the same row),
 * {@code keyColumns} as the stream's, {@code lsn} and {@code commitLsn} = the consistent point,
 * {@code commitTime} = when the job was created, {@code transactionId} 0. Their positions are
 * {@code (consistent point - 1, n)} with {@code n} increasing per event of this instance (starting at its start
 * time in milliseconds times 2^20, so that a later run numbers above an earlier one): just below the
 * consistent point, because the first streamed transaction may commit exactly at it, so positions strictly
 * increase from the snapshot into the stream that follows it.
 *
 * <p>Threads: {@code pgcdc-snapshot-<job>} reads chunks and hands events to {@link #poll} through a
 * bounded queue (a slow consumer stops the reading); {@code pgcdc-snapshot-claims-<job>} claims the next chunk
 * while the current one is read, heartbeats the claims every {@code heartbeat-interval}, marks chunks done (as
 * soon as their last row is acknowledged, while the reader goes on with later chunks) and logs progress every
 * progress interval.
 * {@link #poll}, {@link #start} and {@link #close} from the owner's thread, {@link #acknowledge} and
 * {@link #progress} from any.
 */
public final class ChunkedSnapshotter implements Snapshotter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkedSnapshotter.class);
    private static final Duration MAX_IDLE_WAIT = Duration.ofMillis(500);
    /** Events handed to the polling thread at once, at most. */
    private static final int BATCH = 256;
    /** Estimated bytes of the events handed over at once ({@link ChunkReader.RowConsumer}), at most (but for one row). */
    private static final int BATCH_BYTES = 256 * 1024;
    /**
     * Batches waiting in the hand-off, at most: the reader is ahead of the pipeline (it waited for room most of
     * its time), so more would only keep more rows alive across young collections (docs/benchmarks.md,
     * "Snapshot: the rows kept alive for Kafka's acknowledgements").
     */
    private static final int HAND_OFF_BATCHES = 3;
    /**
     * Estimated bytes of the events waiting in the hand-off, at most: with the launcher's 64 MB heap, a count
     * alone would let rows of 32 KB fill it (docs/operations.md, "Sizing").
     */
    static final int HAND_OFF_BYTES = 1024 * 1024;

    private final SnapshotSettings settings;
    private final ChunkClaimStore store;
    private final DatabaseConnections connections;
    private final TableCatalog catalog;
    private final String slotName;
    private final String jobId;
    private final JobPlanner planner;
    private final ChunkAcks acks = new ChunkAcks();
    private final EventHandOff events;
    private final ProgressMeter meter;
    private final AtomicLong emitted = new AtomicLong();
    /**
     * The sequence of this instance's first event: the start time in milliseconds times 2^20, so that an
     * instance started again later numbers its events above every one of its earlier run (a pipeline that
     * skips events at or below a stored position must not skip rows read again); worker thread only.
     */
    private final long sequenceBase = System.currentTimeMillis() << 20;

    private Thread worker;
    private ScheduledExecutorService claims;
    /** The exported snapshot this instance holds as the job's planner, or null; guarded by {@code this}. */
    private ExportedSnapshot exported;
    private volatile Lsn consistentPoint = Lsn.INVALID;
    private volatile Lsn positionLsn = Lsn.INVALID;
    private volatile boolean complete;
    private volatile boolean closed;
    private volatile Throwable failure;
    /** The chunk being read, or null; worker thread writes, close reads. */
    private volatile Chunk reading;
    /** The claim of the chunk to read next, made on the claims thread while the worker reads; worker writes, close reads. */
    private volatile Future<Optional<ChunkClaim>> claimedAhead;
    /** Exactly-once: the sink's ledger, set before {@link #start}; null when chunks are done on acknowledgement alone. */
    private volatile ChunkLedger ledger;
    /** The job and its incarnation, {@code <job id>@<created at, epoch ms>}, as chunk marks name it; set once the job is planned. */
    private volatile String jobRun;

    /**
     * @param slotName the slot streaming continues from (mode {@code initial}), or null
     */
    public ChunkedSnapshotter(SnapshotSettings settings, ChunkClaimStore store, SnapshotExporter exporter, DatabaseConnections connections,
                              TableCatalog catalog, String slotName) {
        if (settings.mode() == SnapshotSettings.Mode.NEVER) {
            throw new IllegalArgumentException("snapshot.mode = never takes no snapshot");
        }
        this.settings = settings;
        this.store = store;
        this.connections = connections;
        this.catalog = catalog;
        this.slotName = slotName;
        this.jobId = settings.jobId(slotName);
        this.planner = new JobPlanner(settings, store, exporter, connections, catalog, slotName);
        this.events = new EventHandOff(HAND_OFF_BATCHES, HAND_OFF_BYTES);
        this.meter = new ProgressMeter(store, connections, jobId, settings.mode() == SnapshotSettings.Mode.INITIAL ? slotName : null);
    }

    /** The job's name in the coordination store. */
    public String jobId() {
        return jobId;
    }

    /**
     * Exactly-once: makes {@code sinkLedger} (the snapshot pipeline's sink, not started yet) commit each chunk's
     * rows with its mark, and look up a chunk held before by another owner before it is read again. Does nothing
     * when the sink does not commit exactly once. Call before {@link #start}.
     *
     * @throws IllegalStateException when the claim store does not remember previous owners (the fence needs them)
     */
    public void commitThrough(ChunkLedger sinkLedger) {
        if (worker != null) {
            throw new IllegalStateException("snapshot " + jobId + " already started");
        }
        if (!sinkLedger.commitsExactlyOnce()) {
            return;
        }
        if (!store.remembersOwners()) {
            throw new IllegalStateException("an exactly-once snapshot needs a claim store that remembers the previous owner of a chunk");
        }
        sinkLedger.commitChunks(settings.instanceId(), this::endingAt);
        ledger = sinkLedger;
    }

    /** The chunk whose last row has {@code position}, for the sink to commit its mark with it; empty for any other row. */
    Optional<ChunkMark> endingAt(Position position) {
        String run = jobRun;
        if (run == null || !position.commitLsn().equals(positionLsn)) {
            return Optional.empty();
        }
        ChunkAcks.Done done = acks.endingAt(position.sequence());
        return done == null ? Optional.empty() : Optional.of(new ChunkMark(run, done.chunk().chunkId(), done.rows()));
    }

    @Override
    public void start() {
        if (worker != null || closed) {
            throw new IllegalStateException("snapshot " + jobId + " already started or closed");
        }
        SnapshotJob job = store.openJob(jobId, settings.instanceId());
        if (job.state() == SnapshotJob.State.COMPLETED && settings.resnapshot()) {
            LOG.info("snapshot job {} completed at {}; snapshot.resnapshot = true: discarding it and taking the snapshot again", jobId,
                    job.updatedAt());
            store.discard(jobId);
            job = store.openJob(jobId, settings.instanceId());
        } else if (job.state() == SnapshotJob.State.FAILED) {
            LOG.warn("snapshot job {} failed before ({}); discarding it and starting over", jobId, job.failure().orElse("no reason recorded"));
            store.discard(jobId);
            job = store.openJob(jobId, settings.instanceId());
        }
        if (job.state() == SnapshotJob.State.COMPLETED && !slotExists()) {
            LOG.warn("snapshot job {} completed at {}, but replication slot {} no longer exists: a new slot would start after changes the "
                    + "snapshot does not have, so the snapshot is taken again", jobId, job.updatedAt(), slotName);
            store.discard(jobId);
            job = store.openJob(jobId, settings.instanceId());
        }
        if (job.state() == SnapshotJob.State.COMPLETED) {
            useConsistentPoint(job.consistentPoint().orElse(Lsn.INVALID));
            complete = true;
            if (settings.mode() == SnapshotSettings.Mode.SNAPSHOT_ONLY) {
                // the whole run sends nothing: say so, and how to take it again
                LOG.warn("snapshot job {} completed at {} (consistent point {}): nothing to read; a completed job is not taken again:"
                        + " give pgcdc.snapshot.id a new value (its default is shared by every snapshot_only of the database), or set"
                        + " pgcdc.snapshot.resnapshot = true for one start", jobId, job.updatedAt(), consistentPoint);
            } else {
                LOG.info("snapshot job {} completed at {} (consistent point {}): nothing to read", jobId, job.updatedAt(), consistentPoint);
            }
            return;
        }
        meter.started();
        claims = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "pgcdc-snapshot-claims-" + jobId));
        long heartbeat = settings.heartbeatInterval().toMillis();
        claims.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long progress = settings.progressInterval().toMillis();
        claims.scheduleAtFixedRate(this::logProgress, progress, progress, TimeUnit.MILLISECONDS);
        worker = daemon(this::work, "pgcdc-snapshot-" + jobId);
        worker.start();
    }

    private boolean slotExists() {
        try {
            return planner.slotExists();
        } catch (SQLException e) {
            throw new SourceException("cannot check replication slot \"" + slotName + "\" on " + connections.description() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public List<ChangeEvent> poll(int maxEvents, Duration timeout) throws InterruptedException {
        throwIfFailed();
        List<ChangeEvent> batch = events.poll(maxEvents, timeout);
        if (batch.isEmpty()) {
            throwIfFailed();
        }
        return batch;
    }

    private void throwIfFailed() {
        Throwable cause = failure;
        if (cause != null) {
            throw cause instanceof SourceException source ? source
                    : new SourceException("snapshot job " + jobId + " failed: " + cause.getMessage(), cause);
        }
    }

    @Override
    public void acknowledge(Position position) {
        if (!position.commitLsn().equals(positionLsn)) {
            return;
        }
        ChunkAcks.Done done = acks.acknowledge(position.sequence());
        if (done != null) {
            markDone(done);
        }
    }

    @Override
    public boolean isComplete() {
        return complete;
    }

    /**
     * Once the whole job is complete (every chunk of every instance done, so every row this instance
     * emitted was acknowledged): a {@code snapshot_only} pipeline then ends. While other instances
     * still hold chunks this instance keeps waiting, so it can take over a crashed one's chunks.
     */
    @Override
    public boolean isExhausted() {
        return complete;
    }

    @Override
    public Lsn consistentPoint() {
        return consistentPoint;
    }

    /** Progress of the job across instances, for metrics and {@code /status}; cheap (the last measured values). */
    public SnapshotProgress progress() {
        return meter.last(!complete && !closed, emitted.get());
    }

    private void useConsistentPoint(Lsn point) {
        consistentPoint = point;
        positionLsn = Lsn.of(point.value() - 1);
    }

    // ---- worker thread

    private void work() {
        try (ChunkReader reader = new ChunkReader(connections, catalog, settings.fetchSize())) {
            SnapshotJob job = awaitPlan();
            useConsistentPoint(job.consistentPoint().orElseThrow(() -> new SourceException("snapshot job " + jobId
                    + " is running without a consistent point")));
            Optional<String> snapshotId = job.snapshotId();
            Instant commitTime = job.createdAt();
            jobRun = jobId + "@" + job.createdAt().toEpochMilli();
            Duration idle = idleWait();
            TransientFailures failures = new TransientFailures(jobId, settings.claimTimeout());
            while (!closed) {
                try {
                    if (claimAndRead(reader, snapshotId, commitTime)) {
                        failures.reset();
                        continue;
                    }
                    if (acks.inFlight() == 0 && store.completeIfDone(jobId)) {
                        onComplete();
                        return;
                    }
                    SnapshotJob now = store.job(jobId).orElseThrow(() -> new SourceException("snapshot job " + jobId
                            + " was discarded while running"));
                    if (now.state() == SnapshotJob.State.FAILED) {
                        throw new SourceException("snapshot job " + jobId + " failed: " + now.failure().orElse("no reason recorded"));
                    }
                    failures.reset();
                    Thread.sleep(idle.toMillis());
                } catch (SQLException | RuntimeException e) {
                    failures.onFailure(e); // rethrows when not transient or when it lasts too long
                }
            }
        } catch (InterruptedException e) {
            if (!closed) {
                failure = new SourceException("snapshot job " + jobId + " was interrupted", e);
            }
        } catch (Throwable e) {
            if (!closed) {
                onFailure(e);
            }
        }
    }

    private Duration idleWait() {
        return settings.heartbeatInterval().compareTo(MAX_IDLE_WAIT) < 0 ? settings.heartbeatInterval() : MAX_IDLE_WAIT;
    }

    /** Waits until the job has a plan, making it when this instance is (or becomes) its planner. */
    private SnapshotJob awaitPlan() throws InterruptedException, SQLException {
        Duration idle = idleWait();
        boolean waitLogged = false;
        while (!closed) {
            SnapshotJob job = store.job(jobId).orElseGet(() -> store.openJob(jobId, settings.instanceId()));
            switch (job.state()) {
                case RUNNING, COMPLETED -> {
                    return job;
                }
                case FAILED -> throw new SourceException("snapshot job " + jobId + " failed: " + job.failure().orElse("no reason recorded"));
                case PLANNING -> {
                    if (job.planner().equals(settings.instanceId())) {
                        planUnlessTakenOver();
                        continue;
                    }
                    if (store.takeOverPlanning(jobId, settings.instanceId(), settings.claimTimeout())) {
                        LOG.warn("snapshot job {}: planner {} stopped heartbeating for {}; this instance ({}) plans the job instead", jobId,
                                job.planner(), settings.claimTimeout(), settings.instanceId());
                        continue;
                    }
                    if (!waitLogged) {
                        LOG.info("snapshot job {}: waiting for {} to export the snapshot and plan the chunks", jobId, job.planner());
                        waitLogged = true;
                    }
                    Thread.sleep(idle.toMillis());
                }
                default -> throw new IllegalStateException("unknown job state " + job.state());
            }
        }
        throw new InterruptedException("closed");
    }

    /** Plans the job; when planning fails because another instance took it over meanwhile, leaves the plan to it. */
    private void planUnlessTakenOver() throws SQLException {
        try {
            plan();
        } catch (SQLException | RuntimeException e) {
            Optional<SnapshotJob> now = store.job(jobId);
            boolean takenOver = now.isPresent() && (now.get().state() != SnapshotJob.State.PLANNING
                    || !now.get().planner().equals(settings.instanceId()));
            if (!takenOver) {
                throw e;
            }
            LOG.warn("snapshot job {}: {} took planning over while this instance planned ({}); joining its plan", jobId, now.get().planner(),
                    e.getMessage());
        }
    }

    private void plan() throws SQLException {
        JobPlanner.Export export = planner.plan(jobId);
        SnapshotJob stored = store.job(jobId).orElseThrow(() -> new SourceException("snapshot job " + jobId + " vanished while planning"));
        if (!stored.snapshotId().equals(Optional.of(export.snapshot().snapshotId()))) {
            LOG.warn("snapshot job {} was planned by {} meanwhile; this instance's snapshot {} is not used", jobId, stored.planner(),
                    export.snapshot().snapshotId());
            export.snapshot().close();
            return;
        }
        synchronized (this) {
            if (closed) {
                export.snapshot().close();
                return;
            }
            exported = export.snapshot();
        }
    }

    /** Claims the next chunk (or takes the one claimed ahead), claims the one after it ahead, and reads it; false when there was none to claim. */
    private boolean claimAndRead(ChunkReader reader, Optional<String> snapshotId, Instant commitTime) throws SQLException, InterruptedException {
        Optional<ChunkClaim> claimed = nextClaim();
        if (claimed.isEmpty()) {
            return false;
        }
        claimAhead();
        Chunk chunk = claimed.get().chunk();
        if (ledger != null && claimed.get().previousOwner().isPresent() && committedBefore(chunk, claimed.get().previousOwner().get())) {
            return true;
        }
        read(reader, chunk, snapshotId, commitTime);
        return true;
    }

    /** The claim made ahead, when there is one (waiting for it if it is still running), else a claim made now. */
    private Optional<ChunkClaim> nextClaim() throws InterruptedException {
        Future<Optional<ChunkClaim>> ahead = claimedAhead;
        claimedAhead = null;
        if (ahead == null) {
            return store.claim(jobId, settings.instanceId(), settings.claimTimeout());
        }
        try {
            return ahead.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime; // a transient store failure is retried by the work loop, as one of a claim made here
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new SourceException("snapshot job " + jobId + ": claiming a chunk failed: " + cause, cause);
        }
    }

    /** Claims the next chunk on the claims thread, to be read after the current one; nothing once stopping. */
    private void claimAhead() {
        try {
            claimedAhead = claims.submit(() -> store.claim(jobId, settings.instanceId(), settings.claimTimeout()));
        } catch (RejectedExecutionException e) {
            claimedAhead = null; // stopping: close() releases what is held
        }
    }

    /**
     * Exactly-once: whether {@code previousOwner} (or this instance before a restart) committed the chunk; the ledger
     * fences its writer first, so the answer is final. Marks the chunk done when it did.
     */
    private boolean committedBefore(Chunk chunk, String previousOwner) {
        OptionalLong rows = ledger.committedRows(jobRun, chunk.chunkId(), previousOwner);
        if (rows.isEmpty()) {
            LOG.info("snapshot job {}: chunk {} of {}, held before by {}, was not committed; reading it", jobId, chunk.chunkId(), chunk.table(),
                    previousOwner);
            return false;
        }
        LOG.info("snapshot job {}: chunk {} of {} was committed by {} ({} rows) before it lost the claim; marked done without reading it again",
                jobId, chunk.chunkId(), chunk.table(), previousOwner, rows.getAsLong());
        store.markDone(chunk, settings.instanceId(), rows.getAsLong());
        return true;
    }

    private void read(ChunkReader reader, Chunk chunk, Optional<String> snapshotId, Instant commitTime)
            throws SQLException, InterruptedException {
        reading = chunk;
        Lsn point = consistentPoint;
        Lsn positions = positionLsn;
        long[] sequence = {sequenceBase + emitted.get()};
        ChunkAcks.InFlight flight = acks.start(chunk, sequence[0]);
        long first = sequence[0];
        List<List<ChangeEvent>> batch = new ArrayList<>(List.of(new ArrayList<>(BATCH + 1)));
        long[] batchBytes = {0}; // of the batch's rows but the last one added
        boolean finished = false;
        try {
            reader.read(chunk.table(), chunk.range(), settings.conditionFor(chunk.table()), snapshotId, (TableShape shape, Row row, int bytes) -> {
                List<ChangeEvent> current = batch.get(0);
                current.add(new ChangeEvent(Operation.READ, shape.table(), null, row, shape.keyColumns(), 0L, point, point, commitTime,
                        new Position(positions, sequence[0]++), null, null));
                if (current.size() > 1 && (current.size() > BATCH || batchBytes[0] + bytes > BATCH_BYTES)) {
                    // the last row stays behind: the chunk's end must be known before its last row is handed over
                    ChangeEvent last = current.remove(current.size() - 1);
                    handOver(flight, current, batchBytes[0]);
                    List<ChangeEvent> next = new ArrayList<>(BATCH + 1);
                    next.add(last);
                    batch.set(0, next);
                    batchBytes[0] = 0;
                }
                batchBytes[0] += bytes;
            });
            if (!batch.get(0).isEmpty()) {
                acks.ended(flight, sequence[0] - 1);
            }
            handOver(flight, batch.get(0), batchBytes[0]);
            finished = true;
        } catch (SQLException | RuntimeException e) {
            long handed = sequence[0] - first - batch.get(0).size();
            if (ledger != null && handed > 0) {
                // no cause: a transient database error must not make this retried
                SourceException stop = new SourceException("snapshot job " + jobId + ": reading chunk " + chunk.chunkId() + " of " + chunk.table()
                        + " failed after " + handed + " of its rows went to the sink (" + e + "); in exactly-once mode they cannot be taken"
                        + " back, so this instance stops: its open transaction is aborted and the chunk is read again by the instance that"
                        + " claims it next");
                stop.addSuppressed(e);
                throw stop;
            }
            throw e;
        } finally {
            reading = null;
            if (!finished) {
                acks.abandon(flight);
                releaseQuietly(chunk);
            }
        }
        ChunkAcks.Done done = acks.finish(flight);
        if (done != null) {
            markDone(done);
        }
    }

    /** Counts a batch as emitted (before anyone can acknowledge it) and hands it to the polling thread. */
    private void handOver(ChunkAcks.InFlight flight, List<ChangeEvent> batch, long bytes) throws InterruptedException {
        if (batch.isEmpty()) {
            return;
        }
        acks.emitted(flight, batch.size());
        emitted.addAndGet(batch.size());
        events.put(batch, bytes);
    }

    private void onComplete() {
        complete = true;
        closeExported();
        SnapshotProgress progress = meter.measure(false, emitted.get());
        if (settings.mode() == SnapshotSettings.Mode.INITIAL) {
            LOG.info("snapshot job {} complete: {}; streaming continues from {}", jobId, progress.describe(), consistentPoint);
        } else {
            LOG.info("snapshot job {} complete: {} (consistent with {})", jobId, progress.describe(), consistentPoint);
        }
    }

    private void onFailure(Throwable e) {
        failure = e;
        boolean jobError = e instanceof ConfigurationException
                || e instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("42");
        if (jobError) {
            LOG.error("snapshot job {} failed: {}", jobId, e.getMessage());
            try {
                store.fail(jobId, e.getMessage());
            } catch (RuntimeException storeFailure) {
                LOG.warn("cannot record the failure of snapshot job {}: {}", jobId, storeFailure.getMessage());
            }
        } else {
            LOG.error("snapshot job {}: this instance stops ({}); its claims are taken over after snapshot.claim-timeout", jobId, e.toString());
        }
        closeExported();
    }

    // ---- claims thread

    private void markDone(ChunkAcks.Done done) {
        try {
            claims.execute(() -> {
                boolean held = store.markDone(done.chunk(), settings.instanceId(), done.rows());
                if (!held) {
                    LOG.warn("snapshot job {}: chunk {} of {} was taken over by another instance before its {} row(s) were acknowledged; "
                            + "they may appear twice", jobId, done.chunk().chunkId(), done.chunk().table(), done.rows());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("snapshot job {}: chunk {} acknowledged after the stop; it stays claimed until taken over", jobId, done.chunk().chunkId());
        }
    }

    private void heartbeat() {
        try {
            store.heartbeat(jobId, settings.instanceId());
        } catch (RuntimeException e) {
            LOG.warn("snapshot job {}: heartbeat failed ({}); claims are taken over after snapshot.claim-timeout without one", jobId,
                    e.getMessage());
        }
    }

    private void logProgress() {
        try {
            if (complete || closed) {
                return;
            }
            LOG.info("snapshot job {}: {}", jobId, meter.measure(true, emitted.get()).describe());
        } catch (RuntimeException e) {
            LOG.debug("snapshot job {}: cannot measure progress", jobId, e);
        }
    }

    // ---- stop

    private synchronized void closeExported() {
        if (exported != null) {
            exported.close();
            exported = null;
        }
    }

    private void releaseQuietly(Chunk chunk) {
        try {
            store.release(chunk, settings.instanceId());
        } catch (RuntimeException e) {
            LOG.debug("snapshot job {}: cannot release chunk {}: {}", jobId, chunk.chunkId(), e.getMessage());
        }
    }

    /** The chunk claimed ahead and not read, once the claims thread ended; empty when there is none. */
    private Optional<Chunk> aheadClaim() {
        Future<Optional<ChunkClaim>> ahead = claimedAhead;
        claimedAhead = null;
        if (ahead == null || !ahead.isDone() || ahead.isCancelled()) {
            return Optional.empty();
        }
        try {
            return ahead.get().map(ChunkClaim::chunk);
        } catch (ExecutionException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Optional.empty(); // the claim failed: nothing is held
        }
    }

    /**
     * Stops reading, marks done the chunks acknowledged so far, gives the unfinished ones back (the one claimed
     * ahead included), and ends
     * the exported snapshot this instance holds. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread thread = worker;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (claims != null) {
            claims.shutdown();
            try {
                claims.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!complete) {
            acks.pending().forEach(this::releaseQuietly);
            Chunk current = reading;
            if (current != null) {
                releaseQuietly(current);
            }
            aheadClaim().ifPresent(this::releaseQuietly);
        }
        closeExported();
        store.close();
        events.clear();
    }
}
