package dev.pgcdc.app.lifecycle;

import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.http.StatusServer;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.status.Phase;
import dev.pgcdc.metrics.status.Role;
import dev.pgcdc.metrics.status.ServiceState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service and its one lifecycle owner. {@link #start} brings the parts up in order:
 * the HTTP endpoints and metrics first (so a failing start is visible), then the slot monitor, then
 * the initial snapshot when the configuration asks for one ({@link SnapshotPhase}), then the
 * streaming pipeline's sink when it may start before the source ({@link Pipeline#prepare()}: the
 * at-least-once Kafka sink, connected, its topics checked and their metadata fetched, so that a
 * takeover does not wait for it), then it waits at the {@link SlotGate} until this instance holds the
 * replication slot (passive, on standby, while another instance of the group streams from it), then
 * the streaming pipeline (which starts the sink unless it started ahead, then the source; the source
 * has the slot already, so an exactly-once sink, which never starts ahead, fences the previous active
 * instance only once this one has won). {@link #stop} takes them down in
 * reverse: a passive instance stops waiting at once (and closes a sink it started ahead); an active one's pipeline reads on to the end of
 * the current transaction, drains in-flight records, acknowledges what the sink confirmed and closes
 * the slot connection (so a passive instance can take over), all within
 * {@code pipeline.shutdown-timeout}; then the monitor, the endpoints and the meters close.
 *
 * <p>Threading: {@link #start} from the main thread; {@link #stop} from any thread (the main
 * thread after a failure, the shutdown hook on SIGTERM), at most once effectively; {@link #awaitTermination}
 * from the main thread.
 */
public final class Service {

    private static final Logger LOG = LoggerFactory.getLogger(Service.class);

    private final String name;
    private final ServiceState state;
    private final ServiceMeters meters;
    private final SlotMonitor slotMonitor;
    private final StatusServer http;
    private final Pipeline pipeline;
    private final SlotGate slotGate;
    private final SnapshotPhase snapshot;
    private final boolean streamAfterSnapshot;
    // guarded by this
    private boolean started;
    private boolean stopped;
    /** Held through the pipeline's start, so that a stop waits for a start in progress. */
    private final Object pipelineStart = new Object();
    // guarded by pipelineStart
    private boolean pipelineStarted;

    /** A service without a snapshot: it waits for the slot and streams. */
    public Service(String name, ServiceState state, ServiceMeters meters, SlotMonitor slotMonitor, StatusServer http, Pipeline pipeline,
            SlotGate slotGate) {
        this(name, state, meters, slotMonitor, http, pipeline, slotGate, SnapshotPhase.NONE, true);
    }

    /**
     * A service that first runs {@code snapshot} (mode {@code initial} or {@code snapshot_only}), then,
     * when {@code streamAfterSnapshot}, waits for the slot and streams; otherwise it ends once the
     * snapshot is complete.
     */
    public Service(String name, ServiceState state, ServiceMeters meters, SlotMonitor slotMonitor, StatusServer http, Pipeline pipeline,
            SlotGate slotGate, SnapshotPhase snapshot, boolean streamAfterSnapshot) {
        this.name = Objects.requireNonNull(name, "name");
        this.state = Objects.requireNonNull(state, "state");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.slotMonitor = Objects.requireNonNull(slotMonitor, "slotMonitor");
        this.http = Objects.requireNonNull(http, "http");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.slotGate = Objects.requireNonNull(slotGate, "slotGate");
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.streamAfterSnapshot = streamAfterSnapshot;
    }

    /**
     * Starts everything in order, waiting passively for the slot in between; when a part fails to
     * start, what started is stopped and the exception (a {@link dev.pgcdc.api.CdcException} saying
     * what is wrong) is thrown. Returns once the pipeline runs, or when {@link #stop} ended the wait
     * for the slot.
     */
    public void start() throws InterruptedException {
        synchronized (this) {
            if (started || stopped) {
                throw new IllegalStateException("service " + name + " was already started or stopped");
            }
            started = true;
        }
        long startedAt = System.nanoTime();
        state.phase(Phase.STARTING);
        try {
            http.start();
            slotMonitor.start();
            if (!snapshot.run()) {
                LOG.info("pgcdc {}: stopped during the snapshot", name);
                return;
            }
            if (!streamAfterSnapshot) {
                pipeline.stop(); // the stream's pipeline is not used: marks it ended, so awaitTermination returns
                LOG.info("pgcdc {}: snapshot complete; snapshot.mode = snapshot_only, so the service ends", name);
                return;
            }
            if (snapshot != SnapshotPhase.NONE) {
                LOG.info("pgcdc {}: initial snapshot complete; streaming follows from the snapshot's consistent point", name);
            }
            pipeline.prepare();
            if (!slotGate.awaitSlot()) {
                LOG.info("pgcdc {}: stopped while passive", name);
                return;
            }
            synchronized (pipelineStart) {
                if (isStopped()) {
                    slotGate.release();
                    return;
                }
                pipelineStarted = true;
                state.phase(Phase.STARTING);
                LOG.info("pgcdc {}: holds the slot; starting the pipeline", name);
                pipeline.start();
            }
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                stopped = true;
            }
            slotGate.released();
            state.failed(String.valueOf(e.getMessage()));
            closeSupport();
            throw e;
        }
        state.phase(Phase.STREAMING);
        LOG.info("pgcdc {} streaming; started in {} ms", name, Duration.ofNanos(System.nanoTime() - startedAt).toMillis());
    }

    /**
     * Waits until the pipeline has ended, because of {@link #stop} or a failure, or {@code timeout}
     * passed; true if it has ended.
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return pipeline.awaitTermination(timeout);
    }

    /** Why the pipeline stopped, if it failed. */
    public Optional<Throwable> failure() {
        return pipeline.failure();
    }

    /** The port of the HTTP endpoints. */
    public int httpPort() {
        return http.port();
    }

    /** Drains and stops the pipeline, then the rest. Idempotent; returns once everything is closed. */
    public void stop() {
        boolean wasStarted;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            wasStarted = started;
        }
        if (!wasStarted) {
            state.phase(Phase.STOPPED);
            closeSupport();
            return;
        }
        snapshot.stop();
        slotGate.cancel();
        boolean streaming;
        synchronized (pipelineStart) { // waits for a pipeline start in progress
            streaming = pipelineStarted;
        }
        if (!streaming) {
            pipeline.stop(); // never started: only marks it ended
            state.phase(Phase.STOPPED);
            closeSupport();
            LOG.info("pgcdc {} stopped ({})", name, state.role() == Role.PASSIVE ? "it was passive" : "before streaming");
            return;
        }
        if (state.failure().isEmpty()) {
            state.phase(Phase.STOPPING);
        }
        LOG.info("pgcdc {} stopping: finishing the current transaction, then draining in-flight records", name);
        pipeline.stop();
        slotGate.released();
        Optional<Throwable> failure = pipeline.failure();
        if (failure.isPresent()) {
            state.failed(String.valueOf(failure.get().getMessage()));
        } else {
            state.phase(Phase.STOPPED);
        }
        closeSupport();
        LOG.info("pgcdc {} {}", name, failure.isPresent() ? "stopped after a failure" : "stopped cleanly");
    }

    /** Whether {@link #stop} has been called. */
    public synchronized boolean isStopped() {
        return stopped;
    }

    private void closeSupport() {
        slotMonitor.close();
        http.close();
        meters.close();
    }
}
