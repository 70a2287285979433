package dev.pgcdc.app.lifecycle;

import dev.pgcdc.api.pipeline.Pipeline;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.http.StatusServer;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.status.Phase;
import dev.pgcdc.metrics.status.ServiceState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The assembled service and its one lifecycle owner. {@link #start} brings the parts up in order:
 * the HTTP endpoints and metrics first (so a failing start is visible), then the slot monitor, then
 * the streaming pipeline (which starts the sink, then the source). {@link #stop} takes them down in
 * reverse: the pipeline reads on to the end of the current transaction, drains in-flight records,
 * acknowledges what the sink confirmed and closes the slot connection, all within
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
    // guarded by this
    private boolean started;
    private boolean stopped;

    public Service(String name, ServiceState state, ServiceMeters meters, SlotMonitor slotMonitor, StatusServer http, Pipeline pipeline) {
        this.name = Objects.requireNonNull(name, "name");
        this.state = Objects.requireNonNull(state, "state");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.slotMonitor = Objects.requireNonNull(slotMonitor, "slotMonitor");
        this.http = Objects.requireNonNull(http, "http");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /**
     * Starts everything in order; when a part fails to start, what started is stopped and the
     * exception (a {@link dev.pgcdc.api.CdcException} saying what is wrong) is thrown.
     */
    public void start() {
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
            pipeline.start();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                stopped = true;
            }
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
        if (state.failure().isEmpty()) {
            state.phase(Phase.STOPPING);
        }
        LOG.info("pgcdc {} stopping: finishing the current transaction, then draining in-flight records", name);
        pipeline.stop();
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
