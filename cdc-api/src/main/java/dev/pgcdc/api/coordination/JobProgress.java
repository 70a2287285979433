package dev.pgcdc.api.coordination;

/**
 * How far a snapshot job is, across all instances.
 *
 * @param totalTables tables in the plan
 * @param doneTables  tables whose chunks are all done
 * @param totalChunks chunks in the plan
 * @param doneChunks  chunks done
 * @param rows        rows emitted by the done chunks
 */
public record JobProgress(int totalTables, int doneTables, long totalChunks, long doneChunks, long rows) {

    public static final JobProgress NONE = new JobProgress(0, 0, 0, 0, 0);

    public boolean isDone() {
        return totalChunks > 0 && doneChunks == totalChunks;
    }
}
