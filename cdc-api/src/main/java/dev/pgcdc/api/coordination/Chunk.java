package dev.pgcdc.api.coordination;

import dev.pgcdc.api.event.TableId;
import java.util.Objects;

/**
 * One unit of snapshot work: a range of one table's rows, read in a single transaction.
 *
 * @param jobId   the snapshot job it belongs to
 * @param chunkId its number inside the job
 * @param table   the table
 * @param range   which rows
 */
public record Chunk(String jobId, long chunkId, TableId table, ChunkRange range) {

    public Chunk {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(range, "range");
    }
}
