package dev.pgcdc.api.snapshot;

import java.util.Objects;

/**
 * A snapshot chunk whose last row has just been handed to the sink: what an exactly-once sink
 * commits, as a "chunk done" record, in the same transaction as the chunk's rows.
 *
 * @param jobRun  the job and its incarnation ({@code <job id>@<created at, epoch ms>}), so that a
 *                re-snapshot under the same job id never finds the marks of an earlier run
 * @param chunkId the chunk's number inside the job
 * @param rows    the rows the chunk emitted
 */
public record ChunkMark(String jobRun, long chunkId, long rows) {

    public ChunkMark {
        Objects.requireNonNull(jobRun, "jobRun");
        if (rows < 0) {
            throw new IllegalArgumentException("rows must not be negative, was " + rows);
        }
    }
}
