package dev.pgcdc.metrics.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {

    private static final TableId USERS = new TableId("public", "users");
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:01.000000500Z");

    private final ServiceMeters meters = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
    private final PipelineMetrics metrics = new PipelineMetrics(meters.registry(),
            table -> table.equals(USERS) ? "users.0" : null, Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void closeMeters() {
        meters.close();
    }

    @Test
    void countsHandledEventsPerOperationWithTheSlotAndHostLabels() {
        metrics.onHandled(event(Operation.INSERT, USERS), 1, 10);
        metrics.onHandled(event(Operation.INSERT, USERS), 1, 10);
        metrics.onHandled(event(Operation.UPDATE, USERS), 1, 10);
        metrics.onHandled(event(Operation.DELETE, ORDERS), 1, 10);

        assertThat(meters.scrape()).contains(
                "pgcdc_insert_total{host=\"db1\",slot_name=\"orders_slot\"} 2.0",
                "pgcdc_update_total{host=\"db1\",slot_name=\"orders_slot\"} 1.0",
                "pgcdc_delete_total{host=\"db1\",slot_name=\"orders_slot\"} 1.0");
    }

    @Test
    void processLatencyIsNanosecondsFromCommitToHandling() {
        ChangeEvent event = ChangeEvent.builder(Operation.INSERT).table(USERS).after(Row.of(Map.of("id", 1)))
                .commitTime(Instant.parse("2026-01-01T00:00:00.750000000Z")).build();

        metrics.onHandled(event, 1, 10);

        assertThat(meters.registry().get("pgcdc.process.latency.current").gauge().value()).isEqualTo(250_000_500.0);
        assertThat(meters.scrape()).contains("pgcdc_process_latency_current{host=\"db1\",slot_name=\"orders_slot\"} 2.500005E8");
    }

    @Test
    void countsDurableRecordsPerMappedTopicAndKeepsTheLastWriteLatency() {
        metrics.onDurable(event(Operation.INSERT, USERS), 2, 1_000);
        metrics.onDurable(event(Operation.INSERT, USERS), 3, 7_000);
        metrics.onDurable(event(Operation.INSERT, ORDERS), 1, 5_000);

        assertThat(meters.scrape()).contains(
                "pgcdc_write_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"users.0\"} 5.0",
                "pgcdc_write_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"unmapped\"} 1.0",
                "pgcdc_bulk_request_process_latency_current{host=\"db1\",slot_name=\"orders_slot\"} 5000.0");
    }

    @Test
    void countsARecordTheHandlerAddressedUnderItsOwnTopic() {
        byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
        ChangeEvent message = ChangeEvent.builder(Operation.MESSAGE).message(new LogicalMessage("audit", bytes, true))
                .commitLsn(Lsn.parse("0/16B3748")).commitTime(NOW).build();
        metrics.onDurable(message, 1, List.of("audit.messages"), 1_000);
        metrics.onDurable(event(Operation.INSERT, USERS), 2, List.of("audit.messages"), 2_000);

        assertThat(meters.scrape()).contains(
                "pgcdc_write_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"audit.messages\"} 2.0",
                "pgcdc_write_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"users.0\"} 1.0")
                .doesNotContain("topic_name=\"unmapped\"");
    }

    @Test
    void countsHandlerErrorsPerTopicAndFailuresWithoutTopic() {
        assertThat(meters.scrape()).contains("pgcdc_err_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"none\"} 0.0");

        metrics.onHandlerError(event(Operation.UPDATE, USERS), new IllegalStateException("boom"), ErrorPolicy.SKIP);
        metrics.onFailure(new IllegalStateException("sink broken"));

        assertThat(meters.scrape()).contains(
                "pgcdc_err_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"users.0\"} 1.0",
                "pgcdc_err_total{host=\"db1\",slot_name=\"orders_slot\",topic_name=\"none\"} 1.0");
    }

    @Test
    void countsTheEventsSkippedAsAlreadyCommitted() {
        assertThat(meters.scrape()).contains("pgcdc_events_skipped_committed_total{host=\"db1\",slot_name=\"orders_slot\"} 0.0");

        metrics.onSkippedAsCommitted(event(Operation.INSERT, USERS));
        metrics.onSkippedAsCommitted(event(Operation.DELETE, ORDERS));

        assertThat(meters.scrape()).contains("pgcdc_events_skipped_committed_total{host=\"db1\",slot_name=\"orders_slot\"} 2.0");
    }

    @Test
    void latencyWindowPublishesQuantilesAndMaxThatFallToZeroOnceNothingFlows() {
        MockClock registryClock = new MockClock();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                registryClock);
        MutableClock clock = new MutableClock(NOW);
        PipelineMetrics windowed = new PipelineMetrics(registry, table -> "users.0", clock);

        windowed.onHandled(eventCommitted(NOW.minusMillis(2_000)), 1, 10);
        windowed.onHandled(eventCommitted(NOW.minusMillis(4_000)), 1, 10);

        assertThat(registry.scrape()).contains(
                "pgcdc_process_latency_seconds_count 2",
                "pgcdc_process_latency_seconds_sum 6.0",
                "pgcdc_process_latency_seconds_max 4.0");
        assertThat(registry.get("pgcdc.process.latency").timer().takeSnapshot().percentileValues()[1].value(TimeUnit.SECONDS))
                .isBetween(3.9, 4.1);

        // nothing flows for two windows: the quantiles go, the counts stay, the legacy gauge keeps its value
        registryClock.add(Duration.ofSeconds(2 * PipelineMetrics.WINDOW_SECONDS));

        assertThat(registry.scrape()).contains(
                "pgcdc_process_latency_seconds{quantile=\"0.5\"} 0.0",
                "pgcdc_process_latency_seconds{quantile=\"0.99\"} 0.0",
                "pgcdc_process_latency_seconds_count 2",
                "pgcdc_process_latency_current 4.0E9");

        // Micrometer's max keeps a value for the window times its buffers (3 minutes), then it goes too
        registryClock.add(Duration.ofSeconds(PipelineMetrics.WINDOW_SECONDS));
        assertThat(registry.scrape()).contains("pgcdc_process_latency_seconds_max 0.0");
        registry.close();
    }

    @Test
    void latencyWindowTakesOneObservationPerTransactionAndMillisecond() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                new MockClock());
        MutableClock clock = new MutableClock(NOW);
        PipelineMetrics sampled = new PipelineMetrics(registry, table -> "users.0", clock);
        Instant bigCommit = NOW.minusMillis(1_000);

        // three events of one transaction in the same millisecond, then one more a millisecond later
        sampled.onHandled(eventCommitted(bigCommit), 1, 10);
        sampled.onHandled(eventCommitted(Instant.ofEpochSecond(bigCommit.getEpochSecond(), bigCommit.getNano())), 1, 10);
        sampled.onHandled(eventCommitted(bigCommit), 1, 10);
        clock.advance(Duration.ofMillis(1));
        sampled.onHandled(eventCommitted(bigCommit), 1, 10);
        // another transaction in that same millisecond is observed
        sampled.onHandled(eventCommitted(NOW.minusMillis(500)), 1, 10);

        assertThat(registry.scrape()).contains("pgcdc_process_latency_seconds_count 3", "pgcdc_insert_total 5.0",
                "pgcdc_process_latency_seconds_max 1.001");
        registry.close();
    }

    @Test
    void agesOfTheLastEventAndOfTheLastAcknowledgementGrowWhileNothingFlows() {
        MutableClock clock = new MutableClock(NOW);
        ServiceMeters own = new ServiceMeters(new MetricLabels("orders_slot", "db1"));
        PipelineMetrics aged = new PipelineMetrics(own.registry(), table -> "users.0", clock);
        try {
            clock.advance(Duration.ofSeconds(30));
            // before the first event they count from the creation of the meters, so a pgcdc that never gets going shows it
            assertThat(age(own, "pgcdc.last.event.age")).isEqualTo(30.0);
            assertThat(age(own, "pgcdc.last.ack.age")).isEqualTo(30.0);

            aged.onHandled(eventCommitted(clock.instant()), 1, 10);
            clock.advance(Duration.ofMillis(1_500));
            assertThat(age(own, "pgcdc.last.event.age")).isEqualTo(1.5);
            assertThat(age(own, "pgcdc.last.ack.age")).isEqualTo(31.5);

            aged.onDurable(event(Operation.INSERT, USERS), 0, List.of(), 1_000);
            clock.advance(Duration.ofSeconds(600));
            assertThat(age(own, "pgcdc.last.event.age")).isEqualTo(601.5);
            assertThat(age(own, "pgcdc.last.ack.age")).isEqualTo(600.0);
            assertThat(own.scrape()).contains(
                    "pgcdc_last_event_age_seconds{host=\"db1\",slot_name=\"orders_slot\"} 601.5",
                    "pgcdc_last_ack_age_seconds{host=\"db1\",slot_name=\"orders_slot\"} 600.0");

            aged.onSkippedAsCommitted(event(Operation.INSERT, USERS));
            assertThat(age(own, "pgcdc.last.event.age")).isZero();
        } finally {
            own.close();
        }
    }

    @Test
    void registersTheJvmAndProcessMeters() {
        assertThat(meters.scrape()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                "process_uptime_seconds", "jvm_gc_", "process_files_open_files");
    }

    private static double age(ServiceMeters meters, String name) {
        return meters.registry().get(name).gauge().value();
    }

    private static ChangeEvent eventCommitted(Instant commitTime) {
        return ChangeEvent.builder(Operation.INSERT).table(USERS).after(Row.of(Map.of("id", 1))).commitTime(commitTime).build();
    }

    /** A clock the test moves forward. */
    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static ChangeEvent event(Operation operation, TableId table) {
        Row row = Row.of(Map.of("id", 1));
        ChangeEvent.Builder builder = ChangeEvent.builder(operation).table(table).commitLsn(Lsn.parse("0/16B3748"))
                .commitTime(NOW);
        return operation == Operation.DELETE ? builder.before(row).build() : builder.after(row).build();
    }
}
