package dev.pgcdc.api.coordination;

import dev.pgcdc.api.position.Lsn;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot job as stored by {@link ChunkClaimStore}: one per slot (mode {@code initial}) or per
 * {@code snapshot.id} (mode {@code snapshot_only}).
 *
 * @param jobId           the job's name
 * @param state           where it is
 * @param planner         the instance that exports the snapshot and plans the chunks
 * @param snapshotId      the exported snapshot chunk readers import, once planned (may be absent even then)
 * @param consistentPoint the LSN the snapshot is consistent with, once planned
 * @param createdAt       when the job was created
 * @param updatedAt       when its state last changed
 * @param failure         why it failed, when FAILED
 */
public record SnapshotJob(String jobId, State state, String planner, Optional<String> snapshotId, Optional<Lsn> consistentPoint,
                          Instant createdAt, Instant updatedAt, Optional<String> failure) {

    public enum State { PLANNING, RUNNING, COMPLETED, FAILED }

    public SnapshotJob {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(planner, "planner");
        Objects.requireNonNull(snapshotId, "snapshotId");
        Objects.requireNonNull(consistentPoint, "consistentPoint");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(failure, "failure");
    }
}
