package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.JobProgress;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a snapshot's progress: the job-wide counts from the store, this instance's emission rate,
 * an ETA from the job-wide chunk rate, and the WAL the slot retains (a new slot pins WAL for the whole
 * snapshot). {@link #measure} runs on the claims thread; {@link #last} from any thread.
 */
final class ProgressMeter {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressMeter.class);

    private final ChunkClaimStore store;
    private final DatabaseConnections connections;
    private final String jobId;
    private final String slotName;
    private volatile long startNanos;
    private volatile SnapshotProgress last = SnapshotProgress.NOT_STARTED;
    // claims thread only
    private long lastNanos;
    private long lastEmitted;
    private long firstDoneChunks = -1;

    /** @param slotName the slot whose retained WAL is reported, or null */
    ProgressMeter(ChunkClaimStore store, DatabaseConnections connections, String jobId, String slotName) {
        this.store = store;
        this.connections = connections;
        this.jobId = jobId;
        this.slotName = slotName;
    }

    void started() {
        startNanos = System.nanoTime();
        lastNanos = startNanos;
    }

    /** Measures now. */
    SnapshotProgress measure(boolean inProgress, long emitted) {
        long now = System.nanoTime();
        JobProgress job = store.progress(jobId);
        double seconds = Math.max((now - lastNanos) / 1e9, 1e-3);
        double rate = (emitted - lastEmitted) / seconds;
        lastNanos = now;
        lastEmitted = emitted;
        if (firstDoneChunks < 0) {
            firstDoneChunks = job.doneChunks();
        }
        Duration elapsed = Duration.ofNanos(now - startNanos);
        if (!inProgress) {
            rate = emitted / Math.max(elapsed.toNanos() / 1e9, 1e-3); // the last line: the whole run's rate, not its last interval's
        }
        Optional<Duration> eta = Optional.empty();
        long doneHere = job.doneChunks() - firstDoneChunks;
        if (doneHere > 0 && job.totalChunks() > 0) {
            double perChunk = elapsed.toNanos() / (double) doneHere;
            eta = Optional.of(Duration.ofNanos((long) (perChunk * (job.totalChunks() - job.doneChunks()))));
        }
        SnapshotProgress progress = new SnapshotProgress(inProgress, job.totalTables(), job.doneTables(), job.totalChunks(), job.doneChunks(),
                job.rows(), emitted, rate, eta, retainedWal(), elapsed);
        last = progress;
        return progress;
    }

    /** The last measurement, with the current emitted count and state. */
    SnapshotProgress last(boolean inProgress, long emitted) {
        SnapshotProgress p = last;
        Duration elapsed = startNanos == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - startNanos);
        return new SnapshotProgress(inProgress, p.totalTables(), p.doneTables(), p.totalChunks(), p.doneChunks(), p.rows(), emitted,
                p.rowsPerSecond(), p.eta(), p.retainedWalBytes(), elapsed);
    }

    private OptionalLong retainedWal() {
        if (slotName == null) {
            return OptionalLong.empty();
        }
        try (Connection connection = connections.open(); PreparedStatement statement = connection.prepareStatement(
                "SELECT (pg_catalog.pg_current_wal_lsn() - restart_lsn)::bigint FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getObject(1) != null ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
            }
        } catch (SQLException e) {
            LOG.debug("cannot read the retained WAL of slot {}: {}", slotName, e.getMessage());
            return OptionalLong.empty();
        }
    }
}
