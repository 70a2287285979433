package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaim;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.JobProgress;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ChunkClaimStore} in memory, for tests: the port's contract (jobs, plans, claims with heartbeat
 * and take-over, previous owners, done chunks with row counts), one lock for everything, plus a record of every
 * {@code markDone} call for assertions.
 */
final class InMemoryClaimStore implements ChunkClaimStore {

    private static final class Job {
        SnapshotJob.State state = SnapshotJob.State.PLANNING;
        String planner;
        Instant plannerBeat = Instant.now();
        String snapshotId;
        Lsn consistentPoint;
        Instant createdAt = Instant.now();
        Instant updatedAt = createdAt;
        String failure;
        final Map<Long, ChunkState> chunks = new LinkedHashMap<>();
    }

    private static final class ChunkState {
        final Chunk chunk;
        String owner;
        /** The last owner of a released chunk (the port's previous owner), until it is claimed again. */
        String released;
        Instant beat;
        boolean done;
        long rows;

        ChunkState(Chunk chunk) {
            this.chunk = chunk;
        }
    }

    /** One {@code markDone} call. */
    record DoneCall(Chunk chunk, String instanceId, long rows, boolean accepted) {
    }

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<DoneCall> doneCalls = new ArrayList<>();
    private volatile Runnable afterSavePlan = () -> { };

    /** Runs {@code action} after each stored plan (outside the lock), e.g. to break the exported snapshot. */
    void afterSavePlan(Runnable action) {
        afterSavePlan = action;
    }

    @Override
    public synchronized SnapshotJob openJob(String jobId, String instanceId) {
        Job job = jobs.computeIfAbsent(jobId, id -> {
            Job created = new Job();
            created.planner = instanceId;
            return created;
        });
        return view(jobId, job);
    }

    @Override
    public synchronized Optional<SnapshotJob> job(String jobId) {
        Job job = jobs.get(jobId);
        return job == null ? Optional.empty() : Optional.of(view(jobId, job));
    }

    private static SnapshotJob view(String jobId, Job job) {
        return new SnapshotJob(jobId, job.state, job.planner, Optional.ofNullable(job.snapshotId), Optional.ofNullable(job.consistentPoint),
                job.createdAt, job.updatedAt, Optional.ofNullable(job.failure));
    }

    @Override
    public synchronized boolean takeOverPlanning(String jobId, String instanceId, Duration claimTimeout) {
        Job job = jobs.get(jobId);
        if (job == null || job.state != SnapshotJob.State.PLANNING || job.plannerBeat.plus(claimTimeout).isAfter(Instant.now())) {
            return false;
        }
        job.planner = instanceId;
        job.plannerBeat = Instant.now();
        return true;
    }

    @Override
    public void savePlan(String jobId, String instanceId, String snapshotId, Lsn consistentPoint, List<Chunk> chunks) {
        storePlan(jobId, instanceId, snapshotId, consistentPoint, chunks);
        afterSavePlan.run();
    }

    private synchronized void storePlan(String jobId, String instanceId, String snapshotId, Lsn consistentPoint, List<Chunk> chunks) {
        Job job = jobs.get(jobId);
        if (job == null || job.state != SnapshotJob.State.PLANNING || !job.planner.equals(instanceId)) {
            return;
        }
        job.snapshotId = snapshotId;
        job.consistentPoint = consistentPoint;
        chunks.forEach(chunk -> job.chunks.put(chunk.chunkId(), new ChunkState(chunk)));
        job.state = SnapshotJob.State.RUNNING;
        job.updatedAt = Instant.now();
    }

    @Override
    public Optional<Chunk> claimNext(String jobId, String instanceId, Duration claimTimeout) {
        return claim(jobId, instanceId, claimTimeout).map(ChunkClaim::chunk);
    }

    @Override
    public boolean remembersOwners() {
        return true;
    }

    @Override
    public synchronized Optional<ChunkClaim> claim(String jobId, String instanceId, Duration claimTimeout) {
        Job job = jobs.get(jobId);
        if (job == null || job.state != SnapshotJob.State.RUNNING) {
            return Optional.empty();
        }
        Instant now = Instant.now();
        for (ChunkState state : job.chunks.values()) {
            boolean stale = state.owner != null && state.beat.plus(claimTimeout).isBefore(now);
            if (!state.done && (state.owner == null || stale)) {
                Optional<String> previous = Optional.ofNullable(state.owner != null ? state.owner : state.released);
                state.owner = instanceId;
                state.released = null;
                state.beat = now;
                return Optional.of(new ChunkClaim(state.chunk, previous));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void heartbeat(String jobId, String instanceId) {
        Job job = jobs.get(jobId);
        if (job == null) {
            return;
        }
        Instant now = Instant.now();
        if (job.planner.equals(instanceId)) {
            job.plannerBeat = now;
        }
        job.chunks.values().stream().filter(state -> instanceId.equals(state.owner) && !state.done).forEach(state -> state.beat = now);
    }

    @Override
    public synchronized boolean markDone(Chunk chunk, String instanceId, long rows) {
        ChunkState state = jobs.get(chunk.jobId()).chunks.get(chunk.chunkId());
        boolean accepted = state != null && instanceId.equals(state.owner) && !state.done;
        if (accepted) {
            state.done = true;
            state.rows = rows;
        }
        doneCalls.add(new DoneCall(chunk, instanceId, rows, accepted));
        return accepted;
    }

    @Override
    public synchronized void release(Chunk chunk, String instanceId) {
        ChunkState state = jobs.get(chunk.jobId()).chunks.get(chunk.chunkId());
        if (state != null && instanceId.equals(state.owner) && !state.done) {
            state.owner = null;
            state.released = instanceId;
        }
    }

    @Override
    public synchronized JobProgress progress(String jobId) {
        Job job = jobs.get(jobId);
        if (job == null) {
            return JobProgress.NONE;
        }
        Set<TableId> tables = new HashSet<>();
        Set<TableId> unfinished = new HashSet<>();
        long done = 0;
        long rows = 0;
        for (ChunkState state : job.chunks.values()) {
            tables.add(state.chunk.table());
            if (state.done) {
                done++;
                rows += state.rows;
            } else {
                unfinished.add(state.chunk.table());
            }
        }
        return new JobProgress(tables.size(), tables.size() - unfinished.size(), job.chunks.size(), done, rows);
    }

    @Override
    public synchronized boolean completeIfDone(String jobId) {
        Job job = jobs.get(jobId);
        if (job == null) {
            return false;
        }
        if (job.state == SnapshotJob.State.COMPLETED) {
            return true;
        }
        if (job.state == SnapshotJob.State.RUNNING && job.chunks.values().stream().allMatch(state -> state.done)) {
            job.state = SnapshotJob.State.COMPLETED;
            job.updatedAt = Instant.now();
            return true;
        }
        return false;
    }

    @Override
    public synchronized void fail(String jobId, String reason) {
        Job job = jobs.get(jobId);
        if (job != null) {
            job.state = SnapshotJob.State.FAILED;
            job.failure = reason;
            job.updatedAt = Instant.now();
        }
    }

    @Override
    public synchronized void discard(String jobId) {
        jobs.remove(jobId);
    }

    synchronized List<DoneCall> doneCalls() {
        return List.copyOf(doneCalls);
    }

    /** The chunks {@code instanceId} holds now (claimed, not done). */
    synchronized List<Chunk> claimedBy(String jobId, String instanceId) {
        Job job = jobs.get(jobId);
        return job == null ? List.of() : job.chunks.values().stream().filter(state -> !state.done && instanceId.equals(state.owner))
                .map(state -> state.chunk).toList();
    }

    synchronized List<Chunk> chunks(String jobId) {
        Job job = jobs.get(jobId);
        return job == null ? List.of() : job.chunks.values().stream().map(state -> state.chunk).toList();
    }
}
