package dev.pgcdc.api.coordination;

import dev.pgcdc.api.position.Lsn;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Shared record of snapshot jobs and their chunks, and of who works on which, so that several
 * instances split one job and a crashed instance's chunks are taken over. A job goes
 * {@link SnapshotJob.State#PLANNING} (one instance, the planner, exports the snapshot and plans the
 * chunks) → {@link SnapshotJob.State#RUNNING} (every instance claims and reads chunks) →
 * {@link SnapshotJob.State#COMPLETED} or {@link SnapshotJob.State#FAILED}.
 *
 * <p>Implementations are thread-safe; every method is one short database transaction, so a crash
 * between two calls leaves a consistent record.
 */
public interface ChunkClaimStore extends AutoCloseable {

    /**
     * The job {@code jobId}; when there is none yet, creates it in state PLANNING with
     * {@code instanceId} as its planner. Whoever created it (see {@link SnapshotJob#planner()}) plans it.
     */
    SnapshotJob openJob(String jobId, String instanceId);

    /** The job as stored, or empty. */
    Optional<SnapshotJob> job(String jobId);

    /**
     * Makes {@code instanceId} the planner of a job still in PLANNING whose planner has not
     * heartbeated for {@code claimTimeout} (it died while planning); true when it did.
     */
    boolean takeOverPlanning(String jobId, String instanceId, Duration claimTimeout);

    /**
     * Stores the plan of a job in PLANNING: the exported snapshot's id (null when none is shared),
     * the LSN the snapshot is consistent with, every chunk (state pending), and moves the job to
     * RUNNING. Only the planner calls it; a job that already has a plan keeps it.
     */
    void savePlan(String jobId, String instanceId, String snapshotId, Lsn consistentPoint, List<Chunk> chunks);

    /**
     * Claims, for {@code instanceId}, a pending chunk of a RUNNING job, or a claimed one whose
     * heartbeat is older than {@code claimTimeout} (taken over; the implementation logs whose it was);
     * empty when every chunk is done or claimed by a live instance. Claims never block on each other
     * ({@code FOR UPDATE SKIP LOCKED}).
     */
    Optional<Chunk> claimNext(String jobId, String instanceId, Duration claimTimeout);

    /**
     * As {@link #claimNext}, also telling which instance held the chunk before (whose claim was taken
     * over, or who released it). The default knows no previous owner; a store that remembers owners
     * overrides it, which exactly-once snapshots need.
     */
    default Optional<ChunkClaim> claim(String jobId, String instanceId, Duration claimTimeout) {
        return claimNext(jobId, instanceId, claimTimeout).map(chunk -> new ChunkClaim(chunk, Optional.empty()));
    }

    /** Whether {@link #claim} tells previous owners (a released chunk keeps its last owner until claimed again). */
    default boolean remembersOwners() {
        return false;
    }

    /** Refreshes the heartbeat of every chunk {@code instanceId} holds in the job, and of the job when it is its planner. */
    void heartbeat(String jobId, String instanceId);

    /**
     * Marks a chunk done with the number of rows it emitted; called only once the sink acknowledged
     * every one of them. False (and nothing changed) when {@code instanceId} no longer holds the claim
     * because another instance took it over.
     */
    boolean markDone(Chunk chunk, String instanceId, long rows);

    /** Gives a claimed, unfinished chunk back (state pending), e.g. on a clean stop. */
    void release(Chunk chunk, String instanceId);

    /** Counts for progress reporting and metrics. */
    JobProgress progress(String jobId);

    /** Moves a RUNNING job whose chunks are all done to COMPLETED; true when the job is (now or already) COMPLETED. */
    boolean completeIfDone(String jobId);

    /** Marks the job FAILED with a reason; its chunks stay as they are. */
    void fail(String jobId, String reason);

    /** Deletes the job and its chunks (a re-snapshot); nothing happens when there is none. */
    void discard(String jobId);

    /** Releases what the store keeps between calls (connections); it may still be called afterwards. Idempotent. */
    @Override
    default void close() {
    }
}
