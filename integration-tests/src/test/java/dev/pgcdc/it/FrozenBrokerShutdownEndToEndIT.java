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
 * SIGTERM while the Kafka broker is frozen (it holds its connections and answers nothing), with
 * records in flight that can never become durable in time: the service stops within
 * {@code pipeline.shutdown-timeout} and a small margin instead of waiting for the broker, confirms
 * nothing Kafka lacks, and a restart once the broker thaws delivers every row in order per key. A
 * second SIGTERM while it drains ends it at once.
 */
@TestEnvironment
class FrozenBrokerShutdownEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(FrozenBrokerShutdownEndToEndIT.class);
    private static final int KEYS = 1000;
    private static final int ROWS_PER_TRANSACTION = 100;
    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final int FAILED = 1;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void sigtermWithTheBrokerFrozenExitsWithinTheShutdownTimeoutConfirmingNothingKafkaLacksAndARestartDeliversEverything(
            PostgresDatabase postgres) {
        Duration shutdownTimeout = Duration.ofSeconds(10);
        try (KafkaBroker broker = KafkaBroker.builder().start(); Frozen frozen = new Frozen(postgres, broker, shutdownTimeout)) {
            try (PgcdcProcess first = frozen.runUntilChangesAreInFlightToTheFrozenBroker("first")) {
                long signalled = System.nanoTime();
                first.sigterm();
                int exitCode = first.awaitExit(shutdownTimeout.plus(Duration.ofSeconds(90)));
                Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
                LOG.info("{} exited with {} {} ms after SIGTERM (shutdown-timeout {})", first, exitCode, stopping.toMillis(), shutdownTimeout);
                assertThat(stopping).as("time from SIGTERM to exit, shutdown-timeout %s\n%s", shutdownTimeout, first.tail())
                        .isLessThanOrEqualTo(shutdownTimeout.plus(MARGIN));
                assertThat(exitCode).as("exit code after SIGTERM\n%s", first.tail()).isZero();
            }
            frozen.thawRestartAndCheckEverythingArrivedWithoutAConfirmationPastKafka();
        }
    }

    @Test
    void aSecondSigtermWhileDrainingExitsAtOnce(PostgresDatabase postgres) {
        Duration shutdownTimeout = Duration.ofSeconds(60); // the drain would wait this long for the frozen broker
        try (KafkaBroker broker = KafkaBroker.builder().start(); Frozen frozen = new Frozen(postgres, broker, shutdownTimeout)) {
            try (PgcdcProcess first = frozen.runUntilChangesAreInFlightToTheFrozenBroker("first")) {
                first.sigterm();
                first.awaitLogLine("stopping: finishing the current transaction, then draining in-flight records", Duration.ofSeconds(30));
                long signalled = System.nanoTime();
                first.sigterm();
                int exitCode = first.awaitExit(Duration.ofSeconds(30));
                Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
                LOG.info("{} exited with {} {} ms after the second SIGTERM", first, exitCode, stopping.toMillis());
                assertThat(stopping).as("time from the second SIGTERM to exit\n%s", first.tail()).isLessThan(Duration.ofSeconds(5));
                assertThat(exitCode).as("exit code after a second SIGTERM\n%s", first.tail()).isEqualTo(FAILED);
            }
            frozen.thawRestartAndCheckEverythingArrivedWithoutAConfirmationPastKafka();
        }
    }

    /** A captured table on a broker of the test's own, its slot and the service's configuration. */
    private final class Frozen implements AutoCloseable {
        final KafkaBroker broker;
        final VersionedRows rows;
        final String topic;
        final ReplicationSlot slot;
        final Path file;
        final TopicReader reader;
        Lsn end;
        Lsn confirmedAtExit;

        Frozen(PostgresDatabase postgres, KafkaBroker broker, Duration shutdownTimeout) {
            this.broker = broker;
            rows = new VersionedRows(postgres, KEYS, ROWS_PER_TRANSACTION);
            topic = broker.createTopic(TestNames.unique("frozen"), 3);
            ServiceConfig config = ServiceConfig.of(postgres, broker).publication(rows.table() + "_pub", true)
                    .slot(TestNames.unique("frozen"), true).table(rows.table(), topic)
                    .with("pgcdc.handler.json.headers = true")
                    .with("pgcdc.pipeline.shutdown-timeout = " + shutdownTimeout.toSeconds() + "s");
            slot = new ReplicationSlot(postgres, config.slot());
            file = config.writeTo(directory);
            reader = TopicReader.of(broker);
        }

        /**
         * Starts the service, lets 2,000 changes reach Kafka, freezes the broker, writes 2,000 more and
         * returns once the service has handed them all to the sink (its handled-event counters).
         */
        PgcdcProcess runUntilChangesAreInFlightToTheFrozenBroker(String name) {
            PgcdcProcess service = PgcdcProcess.run(file, directory, name);
            try {
                slot.awaitStreamingBy(service, Duration.ofSeconds(60));
                int port = service.awaitHttpPort(Duration.ofSeconds(30));
                rows.write(20);
                reader.awaitAtLeast(topic, 20 * ROWS_PER_TRANSACTION, Duration.ofSeconds(60));
                broker.freeze();
                end = rows.write(20);
                service.awaitWhileRunning("every change handed to the sink", Duration.ofSeconds(60), () -> {
                    MetricsScrape metrics = MetricsScrape.of(port);
                    return metrics.value("pgcdc_insert_total") + metrics.value("pgcdc_update_total") >= rows.changes();
                });
                return service;
            } catch (RuntimeException | Error e) {
                service.close();
                throw e;
            }
        }

        /**
         * After the service exited: thaws the broker, notes what Kafka held, runs the service again until
         * it has confirmed everything, and checks that every row arrived in order per key and that the
         * slot was not confirmed past the first transaction Kafka lacked when the service exited.
         */
        void thawRestartAndCheckEverythingArrivedWithoutAConfirmationPastKafka() {
            confirmedAtExit = slot.confirmedFlushLsn();
            broker.thaw();
            Map<Integer, Long> storedAtExit = reader.endOffsets(topic);
            PgcdcProcess.runUntilConfirmed(file, directory, "second", slot, end);
            List<ChangeRecord> records = reader.readAll(topic);
            LOG.info("{} records for {} changes; Kafka held offsets {} after the service exited with the slot at {}", records.size(),
                    rows.changes(), storedAtExit, confirmedAtExit);
            rows.assertEveryVersionInOrder(records, false);
            // the thawed broker may still take what the producer had sent before the stop: then nothing was missing
            StoredTransactions.of(records).assertNotConfirmedPastMissing(confirmedAtExit, storedAtExit, false);
        }

        @Override
        public void close() {
            try {
                rows.close();
            } finally {
                slot.drop();
            }
        }
    }
}
