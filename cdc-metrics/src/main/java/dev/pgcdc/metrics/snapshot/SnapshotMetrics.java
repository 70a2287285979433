package dev.pgcdc.metrics.snapshot;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The snapshot's gauges, as go-pq-cdc-kafka names them: {@code pgcdc_snapshot_in_progress} (1 or 0),
 * {@code pgcdc_snapshot_total_tables}, {@code pgcdc_snapshot_total_chunks},
 * {@code pgcdc_snapshot_completed_chunks}, {@code pgcdc_snapshot_total_rows},
 * {@code pgcdc_snapshot_duration_seconds}. Registered at 0 from the start, so dashboards and alerts
 * see a series whether or not a snapshot runs; whoever runs a snapshot sets them.
 *
 * <p>Thread-safe: every setter may be called from any thread.
 */
public final class SnapshotMetrics {

    private final AtomicLong inProgress = new AtomicLong();
    private final AtomicLong totalTables = new AtomicLong();
    private final AtomicLong totalChunks = new AtomicLong();
    private final AtomicLong completedChunks = new AtomicLong();
    private final AtomicLong totalRows = new AtomicLong();
    private final AtomicLong durationMillis = new AtomicLong();

    public SnapshotMetrics(MeterRegistry registry) {
        gauge(registry, "pgcdc.snapshot.in.progress", "1 while a snapshot runs, else 0", inProgress::get);
        gauge(registry, "pgcdc.snapshot.total.tables", "Tables in the current or last snapshot", totalTables::get);
        gauge(registry, "pgcdc.snapshot.total.chunks", "Chunks planned for the current or last snapshot", totalChunks::get);
        gauge(registry, "pgcdc.snapshot.completed.chunks", "Chunks whose rows are durable in the sink", completedChunks::get);
        gauge(registry, "pgcdc.snapshot.total.rows", "Rows read by the current or last snapshot", totalRows::get);
        gauge(registry, "pgcdc.snapshot.duration.seconds", "How long the current or last snapshot has taken",
                () -> durationMillis.get() / 1000.0);
    }

    public void inProgress(boolean running) {
        inProgress.set(running ? 1 : 0);
    }

    public void totalTables(long tables) {
        totalTables.set(tables);
    }

    public void totalChunks(long chunks) {
        totalChunks.set(chunks);
    }

    public void completedChunks(long chunks) {
        completedChunks.set(chunks);
    }

    public void totalRows(long rows) {
        totalRows.set(rows);
    }

    public void durationMillis(long millis) {
        durationMillis.set(millis);
    }

    private static void gauge(MeterRegistry registry, String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).strongReference(true).register(registry);
    }
}
