package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.StoredTransactions;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.it.service.VersionedRows;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka broker dies and stays down longer than {@code kafka.delivery-timeout}, in both delivery
 * modes: the service gives up and exits 1 (its supervisor restarts it) without having confirmed to
 * PostgreSQL any transaction Kafka lacks, so once the broker is back a restart delivers every row, in
 * order per key (exactly once for {@code read_committed} consumers in exactly-once mode).
 */
@TestEnvironment
class BrokerDownPastDeliveryTimeoutEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerDownPastDeliveryTimeoutEndToEndIT.class);
    private static final int KEYS = 1000;
    private static final int ROWS_PER_TRANSACTION = 100;
    private static final int TRANSACTIONS_BEFORE = 30;
    private static final int TRANSACTIONS_DURING = 70;
    private static final int FAILED = 1;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void atLeastOnceExitsOneConfirmingNothingKafkaLacksAndARestartDeliversEveryRowInOrder(PostgresDatabase postgres) {
        outlastTheDeliveryTimeout(postgres, false);
    }

    @Test
    void exactlyOnceExitsOneConfirmingNothingKafkaLacksAndARestartDeliversEveryRowOnce(PostgresDatabase postgres) {
        outlastTheDeliveryTimeout(postgres, true);
    }

    private void outlastTheDeliveryTimeout(PostgresDatabase postgres, boolean exactlyOnce) {
        try (KafkaBroker broker = KafkaBroker.builder().start(); VersionedRows rows = new VersionedRows(postgres, KEYS, ROWS_PER_TRANSACTION)) {
            String topic = broker.createTopic(TestNames.unique("outage"), 3);
            ServiceConfig config = ServiceConfig.of(postgres, broker).publication(rows.table() + "_pub", true)
                    .slot(TestNames.unique("outage"), true).table(rows.table(), topic)
                    .with("pgcdc.kafka.delivery-timeout = 12s")
                    .with("pgcdc.kafka.request-timeout = 8s") // also bounds the start-up topic check, which a loaded machine can take seconds for
                    .with("pgcdc.kafka.exactly-once = " + exactlyOnce)
                    .with("pgcdc.handler.json.headers = true")
                    .with("pgcdc.pipeline.shutdown-timeout = 10s");
            ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
            TopicReader reader = exactlyOnce ? TopicReader.readCommitted(broker) : TopicReader.of(broker);
            Path file = config.writeTo(directory);
            try {
                try (PgcdcProcess first = PgcdcProcess.run(file, directory, "first")) {
                    slot.awaitStreamingBy(first, Duration.ofSeconds(60));
                    rows.write(TRANSACTIONS_BEFORE);
                    reader.awaitAtLeast(topic, TRANSACTIONS_BEFORE * ROWS_PER_TRANSACTION, Duration.ofSeconds(60));

                    broker.kill();
                    long killed = System.nanoTime();
                    rows.write(TRANSACTIONS_DURING);
                    int exitCode = first.awaitExit(Duration.ofSeconds(150));
                    LOG.info("{} exited with {} {} ms after the broker died", first, exitCode,
                            Duration.ofNanos(System.nanoTime() - killed).toMillis());
                    assertThat(exitCode).as("exit code with the broker down past the delivery timeout\n%s", first.tail()).isEqualTo(FAILED);
                    assertThat(first.stderr()).as("standard error").startsWith("pgcdc: failed");
                }
                Lsn confirmedAtExit = slot.confirmedFlushLsn();
                Lsn end = ReplicationSlot.currentWalLsn(postgres);

                broker.restart();
                Map<Integer, Long> storedAtExit = reader.endOffsets(topic);
                List<ChangeRecord> inKafkaAtExit = reader.readAll(topic);
                MetricsScrape second = PgcdcProcess.runUntilConfirmed(file, directory, "second", slot, end);

                List<ChangeRecord> records = reader.readAll(topic);
                LOG.info("{} records for {} changes; Kafka held offsets {} when the service exited with the slot at {}", records.size(),
                        rows.changes(), storedAtExit, confirmedAtExit);
                rows.assertEveryVersionInOrder(records, exactlyOnce);
                StoredTransactions.of(records).assertNotConfirmedPastMissing(confirmedAtExit, storedAtExit, true);

                // PostgreSQL sends again every transaction whose commit LSN is at or past the confirmed one; in exactly-once
                // mode those Kafka already held are skipped (and counted), the others are handled and written
                long heldAgain = exactlyOnce ? inKafkaAtExit.stream().filter(record -> !record.position().commitLsn()
                        .isBefore(confirmedAtExit)).count() : 0;
                assertThat(second.value("pgcdc_events_skipped_committed_total")).as("events the restarted service skipped as"
                        + " already in Kafka").isEqualTo((double) heldAgain);
                assertThat(second.value("pgcdc_insert_total") + second.value("pgcdc_update_total"))
                        .as("changes the restarted service handled: the records it added").isEqualTo((double) records.size() - inKafkaAtExit.size());
            } finally {
                slot.drop();
            }
        }
    }
}
