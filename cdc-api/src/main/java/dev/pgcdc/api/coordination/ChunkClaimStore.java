package dev.pgcdc.api.coordination;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Shared record of a snapshot job's chunks and who is working on which, so that several instances
 * split the work and a crashed instance's chunks are taken over. Implementations are thread-safe;
 * every method is a short database transaction.
 */
public interface ChunkClaimStore {

    /** Records the plan of a job; a job that already has a plan keeps it. */
    void savePlan(String jobId, List<Chunk> chunks);

    /** Claims a pending chunk (or one whose claim is older than {@code claimTimeout}) for {@code instanceId}. */
    Optional<Chunk> claimNext(String jobId, String instanceId, Duration claimTimeout);

    /** Refreshes the claims of {@code instanceId} so they are not taken over. */
    void heartbeat(String jobId, String instanceId);

    /** Marks a chunk done; called only once its rows are durable in the sink. */
    void markDone(Chunk chunk, String instanceId);

    /** Whether every chunk of the job is done. */
    boolean isComplete(String jobId);
}
