package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.MetricsScrape.Sample;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code GET /metrics} reports, checked meter by meter against what the test wrote, what Kafka
 * holds and what {@code pg_replication_slots} says: the per-operation counters count the changes, the
 * write counters the records per topic, the latency gauges are plausible, and once the service is
 * idle the slot gauges equal the view's figures. A pgcdc meter this test does not know fails it, so
 * a new meter comes with its check. Records a handler sends to a topic of its choosing (logical
 * decoding messages, with {@code handler.json.message-topic}) count under that topic.
 */
@TestEnvironment
class MetricsEndToEndIT {

    private static final Duration SLOT_INTERVAL = Duration.ofSeconds(1);
    private static final double ONE_MINUTE_NANOS = 60e9;

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("metrics");

    @Test
    void everyCounterAndSlotGaugeMatchesWhatWasWrittenWhatKafkaHoldsAndWhatPostgresSays(PostgresDatabase postgres, KafkaCluster kafka) {
        String orders = service.table();
        String customers = service.table("customers");
        postgres.execute("CREATE TABLE " + orders + " (id integer PRIMARY KEY, note text)",
                "CREATE TABLE " + customers + " (id integer PRIMARY KEY, note text)");
        String ordersTopic = service.topicWith(3, Map.of()).topic();
        String customersTopic = service.topic("customers");
        service.config().table(customers, customersTopic)
                .with("pgcdc.metrics.slot-interval = " + SLOT_INTERVAL.toMillis() + "ms");
        ReplicationSlot slot = service.slot();
        try (PgcdcProcess pgcdc = service.start("service")) {
            int port = pgcdc.awaitHttpPort(Duration.ofSeconds(30));
            assertThat(operationCounters(MetricsScrape.of(port))).as("operation counters before any change")
                    .isEqualTo(operations(0, 0, 0, 0, 0));

            for (int first = 1; first <= 300; first += 100) {
                postgres.execute("INSERT INTO " + orders + " SELECT g, 'order ' || g FROM generate_series(" + first + ", " + (first + 99) + ") g");
            }
            postgres.execute("UPDATE " + orders + " SET note = 'updated' WHERE id <= 100",
                    "DELETE FROM " + orders + " WHERE id > 250",
                    "INSERT INTO " + customers + " SELECT g, 'customer ' || g FROM generate_series(1, 200) g",
                    "SELECT pg_logical_emit_message(true, 'pgcdc-metrics-test', 'handled, no record: no message-topic')",
                    "TRUNCATE " + customers);
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            slot.awaitConfirmed(end, pgcdc, Duration.ofSeconds(60));

            Map<String, Double> recordsInKafka = recordsIn(kafka, ordersTopic, customersTopic);
            assertThat(recordsInKafka).as("records in Kafka").isEqualTo(Map.of(ordersTopic, 450.0, customersTopic, 201.0));

            AtomicReference<MetricsScrape> idle = new AtomicReference<>();
            AtomicReference<ReplicationSlot.Reading> view = new AtomicReference<>();
            pgcdc.awaitWhileRunning("slot gauges equal to pg_replication_slots once idle", Duration.ofSeconds(60), () -> {
                MetricsScrape scrape = MetricsScrape.of(port);
                ReplicationSlot.Reading reading = slot.read().orElseThrow();
                idle.set(scrape);
                view.set(reading);
                return slotGauges(scrape).equals(slotGauges(reading));
            });
            MetricsScrape metrics = idle.get();
            ReplicationSlot.Reading reading = view.get();

            // every meter checked, each failure reported: one wrong meter does not hide the others
            SoftAssertions.assertSoftly(softly -> {
                softly.assertThat(operationCounters(metrics)).as("changes handled per operation")
                        .isEqualTo(operations(500, 100, 50, 1, 1));
                softly.assertThat(byTopic(metrics, "pgcdc_write_total")).as("records durable per topic, as Kafka holds them")
                        .isEqualTo(recordsInKafka);
                softly.assertThat(byTopic(metrics, "pgcdc_err_total")).as("errors per topic").isEqualTo(Map.of("none", 0.0));
                softly.assertThat(metrics.value("pgcdc_events_skipped_committed_total")).as("events skipped as already in Kafka"
                        + " (exactly-once only)").isZero();
                softly.assertThat(metrics.value("pgcdc_process_latency_current")).as("commit to handling of the last event, ns")
                        .isPositive().isLessThan(ONE_MINUTE_NANOS);
                softly.assertThat(metrics.value("pgcdc_bulk_request_process_latency_current"))
                        .as("hand-over to durable of the last write, ns")
                        .isPositive().isLessThan(ONE_MINUTE_NANOS);
                softly.assertThat(slotGauges(metrics)).as("slot gauges").isEqualTo(slotGauges(reading));
                softly.assertThat(reading.confirmedFlushLsn()).as("confirmed flush LSN when idle").isGreaterThanOrEqualTo(end);
                softly.assertThat(metrics.value("pgcdc_slot_lag_bytes")).as("lag when idle").isLessThan(1024 * 1024);
                Map<String, Double> noSnapshot = new LinkedHashMap<>();
                SNAPSHOT_GAUGES.forEach(name -> noSnapshot.put(name, 0.0));
                softly.assertThat(snapshotGauges(metrics)).as("snapshot gauges (no snapshot configured)").isEqualTo(noSnapshot);
                // one observation per transaction and millisecond: at least one for each of the 8 transactions, at most one per event
                softly.assertThat(metrics.value("pgcdc_process_latency_seconds_count")).as("observations in the latency summary")
                        .isBetween(8.0, 652.0);
                softly.assertThat(metrics.value("pgcdc_last_event_age_seconds")).as("seconds since the last event").isBetween(0.0, 600.0);
                softly.assertThat(metrics.value("pgcdc_last_ack_age_seconds")).as("seconds since the last acknowledgement").isBetween(0.0, 600.0);
                softly.assertThat(metrics.value("pgcdc_role")).as("role of the only instance (1 active)").isEqualTo(1.0);
                softly.assertThat(metrics.value("pgcdc_active_time_seconds_total")).as("time as active").isPositive();
                softly.assertThat(metrics.value("pgcdc_source_connected")).as("the source's own gauge: replication connection up").isEqualTo(1.0);
                softly.assertThat(metrics.value("pgcdc_source_in_flight_events")).as("the source's own gauge: nothing unacknowledged when idle")
                        .isZero();
                softly.assertThat(metrics.names("pgcdc_")).as("pgcdc meters, each checked above").isEqualTo(KNOWN_METERS);
                softly.assertThat(metrics.samples().stream().filter(sample -> sample.name().startsWith("pgcdc_")).map(Sample::labels)
                        .map(labels -> labels.get("slot_name") + "@" + labels.get("host")).distinct().toList())
                        .as("slot_name and host labels").containsExactly(slot.name() + "@" + postgres.host());
            });

            pgcdc.stopGracefully(Duration.ofSeconds(60));
        }
    }

    @Test
    void aMessageRecordCountsUnderTheTopicItWasWrittenTo(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        String messagesTopic = service.topic("messages");
        service.config().with("pgcdc.handler.json.message-topic = \"" + messagesTopic + "\"");
        try (PgcdcProcess pgcdc = service.start("service")) {
            int port = pgcdc.awaitHttpPort(Duration.ofSeconds(30));
            postgres.execute("SELECT pg_logical_emit_message(true, 'pgcdc-metrics-test', 'to the message topic')");
            service.slot().awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), pgcdc, Duration.ofSeconds(60));

            assertThat(recordsIn(kafka, messagesTopic)).as("records in Kafka").isEqualTo(Map.of(messagesTopic, 1.0));
            MetricsScrape metrics = MetricsScrape.of(port);
            assertThat(metrics.value("pgcdc_message_total")).as("messages handled").isEqualTo(1.0);
            assertThat(byTopic(metrics, "pgcdc_write_total")).as("records durable per topic, as Kafka holds them")
                    .isEqualTo(Map.of(messagesTopic, 1.0));
            pgcdc.stopGracefully(Duration.ofSeconds(60));
        }
    }

    private static Map<String, Double> recordsIn(KafkaCluster kafka, String... topics) {
        Map<String, Double> counts = new LinkedHashMap<>();
        for (String topic : topics) {
            counts.put(topic, (double) TopicReader.of(kafka).readAll(topic).size());
        }
        return counts;
    }

    private static final Set<String> SNAPSHOT_GAUGES = Set.of("pgcdc_snapshot_in_progress", "pgcdc_snapshot_total_tables",
            "pgcdc_snapshot_total_chunks", "pgcdc_snapshot_completed_chunks", "pgcdc_snapshot_total_rows", "pgcdc_snapshot_duration_seconds");
    private static final Set<String> KNOWN_METERS = new TreeSet<>(Set.of("pgcdc_insert_total", "pgcdc_update_total", "pgcdc_delete_total",
            "pgcdc_truncate_total", "pgcdc_message_total", "pgcdc_read_total", "pgcdc_write_total", "pgcdc_err_total",
            "pgcdc_process_latency_current", "pgcdc_bulk_request_process_latency_current", "pgcdc_slot_confirmed_flush_lsn",
            "pgcdc_slot_current_lsn", "pgcdc_slot_lag_bytes", "pgcdc_slot_retained_wal_bytes", "pgcdc_slot_active",
            "pgcdc_events_skipped_committed_total", "pgcdc_process_latency_seconds", "pgcdc_process_latency_seconds_count",
            "pgcdc_process_latency_seconds_sum", "pgcdc_process_latency_seconds_max", "pgcdc_last_event_age_seconds",
            "pgcdc_last_ack_age_seconds", "pgcdc_slot_wal_status", "pgcdc_role", "pgcdc_takeovers_total", "pgcdc_last_takeover_seconds",
            "pgcdc_active_time_seconds_total", "pgcdc_source_connected", "pgcdc_source_in_flight_events"));

    static {
        KNOWN_METERS.addAll(SNAPSHOT_GAUGES);
    }

    private static Map<String, Double> operations(double inserts, double updates, double deletes, double truncates, double messages) {
        Map<String, Double> counts = new LinkedHashMap<>();
        counts.put("pgcdc_insert_total", inserts);
        counts.put("pgcdc_update_total", updates);
        counts.put("pgcdc_delete_total", deletes);
        counts.put("pgcdc_truncate_total", truncates);
        counts.put("pgcdc_message_total", messages);
        counts.put("pgcdc_read_total", 0.0); // snapshot rows: no snapshot here
        return counts;
    }

    private static Map<String, Double> operationCounters(MetricsScrape metrics) {
        Map<String, Double> counts = new LinkedHashMap<>();
        operations(0, 0, 0, 0, 0).keySet().forEach(name -> counts.put(name, metrics.value(name)));
        return counts;
    }

    private static Map<String, Double> byTopic(MetricsScrape metrics, String name) {
        Map<String, Double> values = new LinkedHashMap<>();
        metrics.all(name).forEach(sample -> values.put(sample.labels().get("topic_name"), sample.value()));
        return values;
    }

    private static Map<String, Double> snapshotGauges(MetricsScrape metrics) {
        Map<String, Double> values = new LinkedHashMap<>();
        SNAPSHOT_GAUGES.forEach(name -> values.put(name, metrics.value(name)));
        return values;
    }

    /** The slot gauges as numbers. */
    private static Map<String, Double> slotGauges(MetricsScrape metrics) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String name : new String[] {"pgcdc_slot_active", "pgcdc_slot_confirmed_flush_lsn", "pgcdc_slot_current_lsn",
            "pgcdc_slot_lag_bytes", "pgcdc_slot_retained_wal_bytes"}) {
            values.put(name, metrics.value(name));
        }
        return values;
    }

    /** What the slot gauges should read, from one reading of the view. */
    private static Map<String, Double> slotGauges(ReplicationSlot.Reading reading) {
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("pgcdc_slot_active", reading.active() ? 1.0 : 0.0);
        values.put("pgcdc_slot_confirmed_flush_lsn", (double) reading.confirmedFlushLsn().value());
        values.put("pgcdc_slot_current_lsn", (double) reading.currentLsn().value());
        values.put("pgcdc_slot_lag_bytes", (double) reading.currentLsn().bytesSince(reading.confirmedFlushLsn()));
        values.put("pgcdc_slot_retained_wal_bytes", (double) reading.currentLsn().bytesSince(reading.restartLsn()));
        return values;
    }
}
