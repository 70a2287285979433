package dev.pgcdc.app.lifecycle;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import dev.pgcdc.metrics.status.Phase;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.metrics.status.SnapshotStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot of mode {@code initial}, run by the {@link Service} before it waits for the
 * slot: a pipeline of its own (the snapshot's {@code READ} events through the same handler and the
 * same kind of sink as the stream) that ends once the whole job is complete, on every instance, so
 * that every instance reads chunks and only then do they compete for the slot. While it runs the
 * phase is {@link Phase#SNAPSHOT} and its progress goes to {@code /status} and the snapshot gauges
 * once a second.
 *
 * <p>Threading: {@link #run} on the service's starting thread; {@link #stop} from any thread.
 */
public final class SnapshotPhase {

    /** No snapshot: {@link #run} returns at once. */
    public static final SnapshotPhase NONE = new SnapshotPhase(null, null, null, null);

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPhase.class);
    private static final Duration PUBLISH_INTERVAL = Duration.ofSeconds(1);

    private final Supplier<Pipeline> pipelineFactory;
    private final Supplier<SnapshotStatus> progress;
    private final ServiceState state;
    private final SnapshotMetrics metrics;
    private final Object lock = new Object();
    // guarded by lock
    private Pipeline pipeline;
    private boolean stopped;

    /**
     * @param pipelineFactory makes the snapshot's pipeline (its source the snapshotter), called once by {@link #run}
     * @param progress        the snapshot's progress, cheap to ask
     */
    public SnapshotPhase(Supplier<Pipeline> pipelineFactory, Supplier<SnapshotStatus> progress, ServiceState state, SnapshotMetrics metrics) {
        this.pipelineFactory = pipelineFactory;
        this.progress = progress;
        this.state = state;
        this.metrics = metrics;
    }

    /**
     * Runs the snapshot to its end; true once the job is complete, false when {@link #stop} ended it
     * first (what was acknowledged stays done; the rest is read after a restart).
     *
     * @throws CdcException when the snapshot failed (the cause says why)
     */
    public boolean run() throws InterruptedException {
        if (pipelineFactory == null) {
            return true;
        }
        Pipeline running;
        synchronized (lock) {
            if (stopped) {
                return false;
            }
            running = Objects.requireNonNull(pipelineFactory.get(), "pipeline");
            pipeline = running;
        }
        state.phase(Phase.SNAPSHOT);
        metrics.inProgress(true);
        long startedAt = System.nanoTime();
        running.start();
        try {
            while (!running.awaitTermination(PUBLISH_INTERVAL)) {
                publish(startedAt);
            }
        } finally {
            publish(startedAt);
            metrics.inProgress(false);
        }
        if (running.failure().isPresent()) {
            Throwable cause = running.failure().get();
            throw cause instanceof CdcException cdc ? cdc : new CdcException("the initial snapshot failed: " + cause.getMessage(), cause);
        }
        if (!running.isExhausted()) {
            return false; // stopped
        }
        LOG.info("snapshot complete in {} s", Duration.ofNanos(System.nanoTime() - startedAt).toSeconds());
        return true;
    }

    /** Ends a running snapshot (draining what is in flight); a later {@link #run} returns false at once. */
    public void stop() {
        Pipeline running;
        synchronized (lock) {
            stopped = true;
            running = pipeline;
        }
        if (running != null) {
            running.stop();
        }
    }

    private void publish(long startedAt) {
        SnapshotStatus status = progress.get();
        state.snapshot(status);
        metrics.totalTables(status.totalTables());
        metrics.totalChunks(status.totalChunks());
        metrics.completedChunks(status.doneChunks());
        metrics.totalRows(status.rows());
        metrics.durationMillis(Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    }
}
