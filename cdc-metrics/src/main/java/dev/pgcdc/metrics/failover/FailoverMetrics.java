package dev.pgcdc.metrics.failover;

import dev.pgcdc.metrics.status.Role;
import dev.pgcdc.metrics.status.ServiceState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The failover meters of one instance: {@code pgcdc_role} (1 active, 0 passive, from the
 * {@link ServiceState}), {@code pgcdc_takeovers_total} (times this instance became active after having
 * seen another one stream from the slot), {@code pgcdc_last_takeover_seconds} (how long the last one
 * took, from the last check that saw the slot held to streaming; NaN before the first) and
 * {@code pgcdc_active_time_seconds_total} (how long this instance has been active, in all).
 *
 * <p>Thread-safe: {@link #becameActive} and {@link #becamePassive} from the lifecycle's thread,
 * the meters read from the scraping thread.
 */
public final class FailoverMetrics {

    private final LongSupplier nanoTime;
    private final Counter takeovers;
    // guarded by this
    private double lastTakeoverSeconds = Double.NaN;
    private long activeNanosBefore;
    private long activeSinceNanos = -1;

    public FailoverMetrics(MeterRegistry registry, ServiceState state) {
        this(registry, state, System::nanoTime);
    }

    FailoverMetrics(MeterRegistry registry, ServiceState state, LongSupplier nanoTime) {
        Objects.requireNonNull(state, "state");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        Gauge.builder("pgcdc.role", state, s -> s.role() == Role.ACTIVE ? 1 : 0)
                .description("1 while this instance streams from the slot (active), 0 while it waits (passive)").register(registry);
        takeovers = Counter.builder("pgcdc.takeovers")
                .description("Times this instance took the slot over from another instance").register(registry);
        Gauge.builder("pgcdc.last.takeover", this, FailoverMetrics::lastTakeoverSeconds).baseUnit("seconds")
                .description("How long the last takeover took: from the last check that saw the slot held by another instance to streaming")
                .register(registry);
        FunctionCounter.builder("pgcdc.active.time", this, FailoverMetrics::activeSeconds).baseUnit("seconds")
                .description("Time this instance has been active (streaming from the slot), in all").register(registry);
    }

    /** This instance streams now; {@code takeover} is present when it took the slot over from another instance. */
    public synchronized void becameActive(Optional<Duration> takeover) {
        if (takeover.isPresent()) {
            takeovers.increment();
            lastTakeoverSeconds = takeover.get().toNanos() / 1e9;
        }
        if (activeSinceNanos < 0) {
            activeSinceNanos = nanoTime.getAsLong();
        }
    }

    /** This instance no longer streams (stopped, or lost the slot). */
    public synchronized void becamePassive() {
        if (activeSinceNanos >= 0) {
            activeNanosBefore += nanoTime.getAsLong() - activeSinceNanos;
            activeSinceNanos = -1;
        }
    }

    synchronized double lastTakeoverSeconds() {
        return lastTakeoverSeconds;
    }

    synchronized double activeSeconds() {
        long running = activeSinceNanos < 0 ? 0 : nanoTime.getAsLong() - activeSinceNanos;
        return (activeNanosBefore + running) / 1e9;
    }
}
