package dev.pgcdc.snapshot;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How far a snapshot is, for the progress log, {@code /status} and the snapshot metrics. Immutable.
 *
 * @param inProgress       whether the snapshot is running (planned or being read, not yet complete)
 * @param totalTables      tables in the plan
 * @param doneTables       tables whose chunks are all done
 * @param totalChunks      chunks in the plan
 * @param doneChunks       chunks done, by every instance
 * @param rows             rows of the done chunks, by every instance
 * @param emittedRows      rows this instance emitted
 * @param rowsPerSecond    this instance's emission rate over the last progress interval
 * @param eta              remaining time estimated from the job-wide chunk rate, when known
 * @param retainedWalBytes WAL the slot holds back behind the server's insert position, when there is a slot
 * @param elapsed          time since this instance started the snapshot
 */
public record SnapshotProgress(boolean inProgress, int totalTables, int doneTables, long totalChunks, long doneChunks, long rows,
                               long emittedRows, double rowsPerSecond, Optional<Duration> eta, OptionalLong retainedWalBytes,
                               Duration elapsed) {

    public static final SnapshotProgress NOT_STARTED = new SnapshotProgress(false, 0, 0, 0, 0, 0, 0, 0, Optional.empty(),
            OptionalLong.empty(), Duration.ZERO);

    /** One line for the log. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        text.append("tables ").append(doneTables).append('/').append(totalTables)
                .append(", chunks ").append(doneChunks).append('/').append(totalChunks)
                .append(", rows done ").append(rows)
                .append(", emitted here ").append(emittedRows).append(" (").append(Math.round(rowsPerSecond)).append(" rows/s)");
        eta.ifPresent(value -> text.append(", ETA ").append(value.toSeconds()).append(" s"));
        if (retainedWalBytes.isPresent()) {
            text.append(", the slot retains ").append(retainedWalBytes.getAsLong() / (1024 * 1024)).append(" MB of WAL");
        }
        return text.toString();
    }
}
