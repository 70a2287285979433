package dev.pgcdc.it.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.ServiceHttp;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook "Slot lag growing" of docs/operations.md against the packaged service: the broker dies
 * (for less than {@code kafka.delivery-timeout}) while PostgreSQL goes on writing, so the slot's
 * confirmed position stands still. What the runbook says shows it does: {@code pgcdc_slot_lag_bytes}
 * and {@code pgcdc_slot_retained_wal_bytes} rise with the WAL written, {@code pgcdc_last_ack_age_seconds}
 * grows, {@code /status} still says {@code streaming} with the slot active and the lag, and
 * PostgreSQL's own view (the runbook's query) agrees. Once the broker is back the service catches up by
 * itself, without a restart: the lag falls back and every row is in the topic.
 */
@TestEnvironment
class SlotLagGrowingEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROWS_BEFORE = 50;
    private static final int ROWS_PER_BATCH = 500;

    @RegisterExtension
    final ServiceFixture fixture = ServiceFixture.named("lagging");

    @Test
    void theLagShowsWhileKafkaIsDownAndFallsBackWithNothingLost(PostgresDatabase postgres) {
        try (KafkaBroker broker = KafkaBroker.builder().start()) {
            fixture.on(broker);
            String table = fixture.table();
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, payload text)");
            String topic = fixture.topic();
            fixture.config().with("pgcdc.metrics.slot-interval = 1s")
                    .with("pgcdc.kafka.delivery-timeout = 180s"); // the outage stays well inside it: the service waits
            ReplicationSlot slot = fixture.slot();
            TopicReader reader = TopicReader.of(broker);
            try (PgcdcProcess service = fixture.start("lagging")) {
                int port = service.awaitHttpPort(WAIT);
                insert(postgres, table, 1, ROWS_BEFORE);
                reader.awaitAtLeast(topic, ROWS_BEFORE, WAIT);
                slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), service, WAIT);

                broker.kill();
                Lsn confirmedAtOutage = slot.confirmedFlushLsn();
                insert(postgres, table, ROWS_BEFORE + 1, ROWS_PER_BATCH);
                long firstLag = awaitLagShown(service, port, slot);
                insert(postgres, table, ROWS_BEFORE + ROWS_PER_BATCH + 1, ROWS_PER_BATCH);
                long secondLag = awaitLagShown(service, port, slot);
                assertThat(secondLag).as("the lag grows with the WAL written").isGreaterThan(firstLag);
                assertThat(slot.confirmedFlushLsn()).as("confirmed position during the outage (pgcdc_slot_confirmed_flush_lsn flat)")
                        .isEqualTo(confirmedAtOutage);

                MetricsScrape stuck = MetricsScrape.of(port);
                assertThat(stuck.value("pgcdc_slot_retained_wal_bytes")).as("retained WAL").isGreaterThanOrEqualTo(secondLag);
                assertThat(stuck.value("pgcdc_slot_confirmed_flush_lsn")).as("pgcdc_slot_confirmed_flush_lsn")
                        .isEqualTo((double) confirmedAtOutage.value());
                service.awaitWhileRunning("pgcdc_last_ack_age_seconds past 5 s", WAIT,
                        () -> MetricsScrape.of(port).value("pgcdc_last_ack_age_seconds") > 5);
                JsonNode status = ServiceHttp.status(port);
                assertThat(status.get("phase").asText()).as("/status %s", status).isEqualTo("streaming");
                assertThat(status.get("slotActive").asBoolean()).as("/status %s", status).isTrue();
                assertThat(status.get("lagBytes").asLong()).as("/status %s", status).isGreaterThanOrEqualTo(secondLag);
                assertThat(postgres.queryValue(Boolean.class, "SELECT active FROM pg_replication_slots WHERE slot_name = ?", slot.name()))
                        .as("the walsender stays while pgcdc waits for Kafka").isTrue();

                // the cause removed: the service catches up on its own, no restart
                broker.restart();
                Lsn end = ReplicationSlot.currentWalLsn(postgres);
                slot.awaitConfirmed(end, service, Duration.ofSeconds(120));
                service.awaitWhileRunning("pgcdc_slot_lag_bytes and pgcdc_last_ack_age_seconds back down", WAIT, () -> {
                    MetricsScrape metrics = MetricsScrape.of(port);
                    return metrics.value("pgcdc_slot_lag_bytes") < firstLag && metrics.value("pgcdc_last_ack_age_seconds") < 5;
                });
                assertThat(reader.readAll(topic)).extracting(record -> record.after().get("id").asInt()).as("every row, once each")
                        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, ROWS_BEFORE + 2 * ROWS_PER_BATCH).boxed().toList());
                service.stopGracefully(WAIT);
            }
        }
    }

    /**
     * Waits until pgcdc's {@code pgcdc_slot_lag_bytes} shows at least the lag PostgreSQL reports for the
     * slot now (the runbook's query, which works without pgcdc); that lag.
     */
    private static long awaitLagShown(PgcdcProcess service, int port, ReplicationSlot slot) {
        long lag = slot.lagBytes();
        assertThat(lag).as("lag PostgreSQL reports for the slot").isPositive();
        service.awaitWhileRunning("pgcdc_slot_lag_bytes at least " + lag, WAIT,
                () -> MetricsScrape.of(port).value("pgcdc_slot_lag_bytes") >= lag);
        return lag;
    }

    private static void insert(PostgresDatabase postgres, String table, int from, int count) {
        postgres.execute("INSERT INTO " + table + " SELECT i, repeat('x', 200) FROM generate_series(" + from + ", "
                + (from + count - 1) + ") AS i");
    }
}
