package dev.pgcdc.metrics.slot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlotMonitorTest {

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
    private final FakeSlotStatistics statistics = new FakeSlotStatistics();
    private final SlotMonitor monitor = new SlotMonitor(statistics, Duration.ofMinutes(1), meters.registry());

    @AfterEach
    void close() {
        monitor.close();
        meters.close();
    }

    @Test
    void exposesTheSlotFiguresAsGauges() {
        statistics.figures = new SlotFigures("orders_slot", true, true, 4242, Lsn.parse("0/1000"), Lsn.parse("0/1800"),
                Lsn.parse("0/2000"), "reserved", Instant.EPOCH);

        monitor.readNow();

        assertThat(meters.scrape()).contains(
                "pgcdc_slot_confirmed_flush_lsn{host=\"db1\",slot_name=\"orders_slot\"} 6144.0",
                "pgcdc_slot_current_lsn{host=\"db1\",slot_name=\"orders_slot\"} 8192.0",
                "pgcdc_slot_lag_bytes{host=\"db1\",slot_name=\"orders_slot\"} 2048.0",
                "pgcdc_slot_retained_wal_bytes{host=\"db1\",slot_name=\"orders_slot\"} 4096.0",
                "pgcdc_slot_active{host=\"db1\",slot_name=\"orders_slot\"} 1.0");
    }

    @Test
    void exposesTheWalStatusAsOneSeriesPerValue() {
        statistics.figures = new SlotFigures("orders_slot", true, false, 0, Lsn.parse("0/1000"), Lsn.parse("0/1800"),
                Lsn.parse("0/2000"), "unreserved", Instant.EPOCH);
        monitor.readNow();

        assertThat(meters.scrape()).contains(
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"reserved\"} 0.0",
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"extended\"} 0.0",
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"unreserved\"} 1.0",
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"lost\"} 0.0");

        statistics.figures = new SlotFigures("orders_slot", true, false, 0, Lsn.INVALID, Lsn.parse("0/1800"),
                Lsn.parse("0/2000"), "lost", Instant.EPOCH);
        monitor.readNow();

        assertThat(meters.scrape()).contains(
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"unreserved\"} 0.0",
                "pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"lost\"} 1.0");

        statistics.figures = SlotFigures.missing("orders_slot", Lsn.parse("0/2000"), Instant.EPOCH);
        monitor.readNow();

        assertThat(meters.scrape()).contains("pgcdc_slot_wal_status{host=\"db1\",slot_name=\"orders_slot\",status=\"lost\"} NaN");
    }

    @Test
    void gaugesAreNanWhilePostgresDoesNotAnswerInsteadOfStaleValues() {
        statistics.figures = new SlotFigures("orders_slot", true, true, 4242, Lsn.parse("0/1000"), Lsn.parse("0/1800"),
                Lsn.parse("0/2000"), "reserved", Instant.EPOCH);
        monitor.readNow();
        statistics.failure = new CdcException("connection refused");

        assertThatThrownBy(monitor::readNow).hasMessage("connection refused");

        assertThat(monitor.latest()).isEmpty();
        assertThat(meters.scrape()).contains("pgcdc_slot_lag_bytes{host=\"db1\",slot_name=\"orders_slot\"} NaN");
    }

    @Test
    void samplesOnItsOwnThreadOnceStarted() {
        statistics.figures = SlotFigures.missing("orders_slot", Lsn.parse("0/2000"), Instant.EPOCH);

        monitor.start();

        await().atMost(Duration.ofSeconds(60)).until(() -> monitor.latest().isPresent());
        assertThat(monitor.latest()).contains(statistics.figures);
    }

    @Test
    void snapshotGaugesAreThereAtZeroFromTheStart() {
        new SnapshotMetrics(meters.registry());

        assertThat(meters.scrape()).contains(
                "pgcdc_snapshot_in_progress{host=\"db1\",slot_name=\"orders_slot\"} 0.0",
                "pgcdc_snapshot_total_tables{host=\"db1\",slot_name=\"orders_slot\"} 0.0",
                "pgcdc_snapshot_total_chunks{host=\"db1\",slot_name=\"orders_slot\"} 0.0",
                "pgcdc_snapshot_completed_chunks{host=\"db1\",slot_name=\"orders_slot\"} 0.0",
                "pgcdc_snapshot_total_rows{host=\"db1\",slot_name=\"orders_slot\"} 0.0",
                "pgcdc_snapshot_duration_seconds{host=\"db1\",slot_name=\"orders_slot\"} 0.0");
    }

    /** Answers with {@link #figures} or throws {@link #failure}. */
    static final class FakeSlotStatistics implements SlotStatistics {
        volatile SlotFigures figures;
        volatile RuntimeException failure;

        @Override
        public SlotFigures read() {
            if (failure != null) {
                throw failure;
            }
            return figures;
        }
    }
}
