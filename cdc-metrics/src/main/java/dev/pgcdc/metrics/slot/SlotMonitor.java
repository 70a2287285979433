package dev.pgcdc.metrics.slot;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the slot's figures every {@code interval} on a thread of its own ({@code pgcdc-slot-stats})
 * and exposes the latest reading as gauges: {@code pgcdc_slot_confirmed_flush_lsn},
 * {@code pgcdc_slot_current_lsn} (LSNs as numbers), {@code pgcdc_slot_lag_bytes},
 * {@code pgcdc_slot_retained_wal_bytes}, {@code pgcdc_slot_active} (1 or 0), and
 * {@code pgcdc_slot_wal_status{status}}: one series per value of {@code pg_replication_slots.wal_status}
 * ({@value #WAL_STATUSES_TEXT}), 1 for the slot's current status and 0 for the others (all 0 when the
 * server does not report one). While the database
 * cannot be read the gauges are NaN rather than the last, stale, values.
 *
 * <p>Lifecycle: {@link #start} and {@link #close} by one owner; {@link #latest} and
 * {@link #readNow} from any thread.
 */
public final class SlotMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);
    /** The values of {@code pg_replication_slots.wal_status}, each a {@code status} of {@code pgcdc_slot_wal_status}. */
    public static final List<String> WAL_STATUSES = List.of("reserved", "extended", "unreserved", "lost");
    static final String WAL_STATUSES_TEXT = "reserved, extended, unreserved, lost";

    private final SlotStatistics statistics;
    private final Duration interval;
    private final ScheduledExecutorService scheduler;
    // written by whichever thread read last; a reading is immutable
    private volatile SlotFigures latest;
    private volatile boolean failing;

    public SlotMonitor(SlotStatistics statistics, Duration interval, MeterRegistry registry) {
        this.statistics = Objects.requireNonNull(statistics, "statistics");
        this.interval = Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pgcdc-slot-stats");
            thread.setDaemon(true);
            return thread;
        });
        gauge(registry, "pgcdc.slot.confirmed.flush.lsn", "The slot's confirmed flush LSN, as a number",
                f -> f.confirmedFlushLsn().isValid() ? f.confirmedFlushLsn().value() : Double.NaN);
        gauge(registry, "pgcdc.slot.current.lsn", "The server's current WAL LSN, as a number", f -> f.currentLsn().value());
        gauge(registry, "pgcdc.slot.lag.bytes", "WAL bytes written since the slot's confirmed flush LSN", SlotFigures::lagBytes);
        gauge(registry, "pgcdc.slot.retained.wal.bytes", "WAL bytes the slot keeps on the server (since its restart LSN)",
                SlotFigures::retainedWalBytes);
        gauge(registry, "pgcdc.slot.active", "1 while a walsender streams from the slot, else 0", f -> f.active() ? 1 : 0);
        for (String status : WAL_STATUSES) {
            Gauge.builder("pgcdc.slot.wal.status", this, monitor -> walStatusValue(monitor.latest, status))
                    .description("1 for the slot's pg_replication_slots.wal_status, 0 for the other values")
                    .tag("status", status)
                    .strongReference(true)
                    .register(registry);
        }
    }

    private static double walStatusValue(SlotFigures figures, String status) {
        if (figures == null || !figures.exists()) {
            return Double.NaN;
        }
        return status.equals(figures.walStatus()) ? 1 : 0;
    }

    /** Starts sampling; the first reading is taken at once. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The last successful reading, empty before the first one and while the database cannot be read. */
    public Optional<SlotFigures> latest() {
        return Optional.ofNullable(latest);
    }

    /**
     * Reads the figures now (and keeps them as the latest).
     *
     * @throws dev.pgcdc.api.CdcException when PostgreSQL does not answer
     */
    public SlotFigures readNow() {
        try {
            SlotFigures figures = statistics.read();
            latest = figures;
            if (failing) {
                failing = false;
                LOG.info("slot statistics readable again");
            }
            return figures;
        } catch (RuntimeException e) {
            latest = null;
            if (!failing) {
                failing = true;
                LOG.warn("cannot read the slot statistics: {}", e.getMessage());
            }
            throw e;
        }
    }

    private void sample() {
        try {
            readNow();
        } catch (RuntimeException e) {
            // logged once in readNow; the next sample tries again
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        statistics.close();
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<SlotFigures> value) {
        Gauge.builder(name, this, monitor -> {
                    SlotFigures figures = monitor.latest;
                    return figures == null || !figures.exists() ? Double.NaN : value.applyAsDouble(figures);
                })
                .description(description)
                .strongReference(true)
                .register(registry);
    }
}
