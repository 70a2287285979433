package dev.pgcdc.metrics.status;

import java.util.OptionalLong;

/**
 * The snapshot's progress as {@code /status} shows it (the {@code snapshot} object), across every
 * instance of the job except {@code emittedRows} and {@code rowsPerSecond}, which are this instance's.
 *
 * @param inProgress    whether the snapshot is still running
 * @param totalTables   tables in the plan
 * @param doneTables    tables whose chunks are all done
 * @param totalChunks   chunks in the plan
 * @param doneChunks    chunks done
 * @param rows          rows of the done chunks
 * @param emittedRows   rows this instance read
 * @param rowsPerSecond this instance's rate over the last interval
 * @param etaSeconds    estimated seconds left, when known
 */
public record SnapshotStatus(boolean inProgress, int totalTables, int doneTables, long totalChunks, long doneChunks, long rows,
                             long emittedRows, double rowsPerSecond, OptionalLong etaSeconds) {
}
