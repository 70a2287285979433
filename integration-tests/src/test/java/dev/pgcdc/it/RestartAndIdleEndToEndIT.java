package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's life as an operator sees it: stopped with SIGTERM and started again, left running on
 * an idle table while the rest of the database is busy, and kept running while its Kafka broker dies
 * and comes back.
 */
@TestEnvironment
class RestartAndIdleEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(RestartAndIdleEndToEndIT.class);
    private static final long ONE_MEGABYTE = 1024 * 1024;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void sigtermExitsZeroPromptlyAndARestartNeitherLosesNorRepeatsWhatWasWrittenBeforeTheStop(PostgresDatabase postgres,
                                                                                                KafkaCluster kafka) {
        Captured captured = new Captured(postgres, kafka);
        Path file = captured.config.writeTo(directory);
        try (ContinuousWriter writer = new ContinuousWriter(captured)) {
            long inKafkaAtStop;
            try (PgcdcProcess first = PgcdcProcess.run(file, directory, "first")) {
                captured.slot.awaitStreamingBy(first, Duration.ofSeconds(60));
                writer.start();
                await("records in " + captured.topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                        .until(() -> TopicReader.of(kafka).endOffsetSum(captured.topic) >= 300);

                long signalled = System.nanoTime();
                first.sigterm();
                assertThat(first.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM\n%s", first.tail()).isZero();
                Duration stopping = Duration.ofNanos(System.nanoTime() - signalled);
                LOG.info("stopped in {} ms", stopping.toMillis());
                assertThat(stopping).as("time from SIGTERM to exit").isLessThan(Duration.ofSeconds(15));
                inKafkaAtStop = TopicReader.of(kafka).endOffsetSum(captured.topic);
            }
            assertThat(captured.slot.isActive()).as("slot released").isFalse();
            int writtenAtStop = writer.written();
            await("rows written while the service is down").atMost(Duration.ofSeconds(30)).until(() -> writer.written() >= writtenAtStop + 300);
            int rows = writer.stop();
            assertThat(inKafkaAtStop).as("records in Kafka at the stop, of %d rows", rows).isLessThan(rows);

            captured.runUntilConfirmed(file, directory, "second", ReplicationSlot.currentWalLsn(postgres));

            List<ChangeRecord> records = TopicReader.of(kafka).readAll(captured.topic);
            LOG.info("{} records for {} rows, {} of them in Kafka when the service stopped", records.size(), rows, inKafkaAtStop);
            assertThat(ids(records)).as("rows in Kafka").isEqualTo(IntStream.rangeClosed(1, rows).boxed().collect(Collectors.toSet()));
            Map<Integer, Long> writtenBeforeStop = countsOf(records.subList(0, (int) inKafkaAtStop), records);
            assertThat(writtenBeforeStop.values()).as("times each row in Kafka at the stop appears in the end (id -> count: %s)",
                    writtenBeforeStop.entrySet().stream().filter(e -> e.getValue() != 1).toList()).containsOnly(1L);
        } finally {
            captured.slot.drop();
        }
    }

    @Test
    void anIdleCapturedTableDoesNotHoldBackWalWhileOtherTablesAreBusy(PostgresDatabase postgres, KafkaCluster kafka) {
        Captured captured = new Captured(postgres, kafka);
        String other = TestNames.unique("not_captured");
        postgres.execute("CREATE TABLE " + other + " (id integer PRIMARY KEY, payload text)");
        try (PgcdcProcess service = PgcdcProcess.run(captured.config.writeTo(directory), directory, "service")) {
            captured.slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            captured.insertInTransactionsOf100(1, 1);
            TopicReader.of(kafka).awaitAtLeast(captured.topic, 1, Duration.ofSeconds(30));

            Lsn start = ReplicationSlot.currentWalLsn(postgres);
            for (int chunk = 0; chunk < 6; chunk++) { // ~5 MB of WAL each, outside the publication
                postgres.execute("INSERT INTO " + other + " SELECT g, repeat(md5(g::text), 32) FROM generate_series("
                        + (chunk * 5000 + 1) + ", " + (chunk + 1) * 5000 + ") g");
            }
            long written = ReplicationSlot.currentWalLsn(postgres).bytesSince(start);
            assertThat(written).as("WAL written outside the publication").isGreaterThan(30 * ONE_MEGABYTE);

            await("slot lag below 1 MB after " + written / ONE_MEGABYTE + " MB of unrelated WAL").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(captured.slot::lagBytes, lag -> lag < ONE_MEGABYTE);
            assertThat(service.isAlive()).isTrue();
            assertThat(TopicReader.of(kafka).readAll(captured.topic)).as("records: only the captured table's").hasSize(1);
        } finally {
            captured.slot.drop();
        }
    }

    @Test
    void aKafkaBrokerKilledAndRestartedWhileTheServiceRunsLosesNothing(PostgresDatabase postgres) {
        try (KafkaBroker broker = KafkaBroker.builder().start()) {
            Captured captured = new Captured(postgres, broker);
            try (PgcdcProcess service = PgcdcProcess.run(captured.config.writeTo(directory), directory, "service")) {
                captured.slot.awaitStreamingBy(service, Duration.ofSeconds(60));
                captured.insertInTransactionsOf100(1, 1000);
                TopicReader.of(broker).awaitAtLeast(captured.topic, 1000, Duration.ofSeconds(60));

                broker.kill();
                Lsn afterFirstTransactionDuringOutage = captured.insertInTransactionsOf100(1001, 1100);
                captured.insertInTransactionsOf100(1101, 2000);
                await("slot not confirmed past what Kafka has not taken, while the broker is down")
                        .during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> captured.slot.confirmedFlushLsn().isBefore(afterFirstTransactionDuringOutage));
                broker.restart();
                Lsn end = captured.insertInTransactionsOf100(2001, 3000);

                await("slot confirmed up to the last write, " + end).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .failFast("the service exited", () -> !service.isAlive())
                        .until(() -> !captured.slot.confirmedFlushLsn().isBefore(end));
                List<ChangeRecord> records = TopicReader.of(broker).readAll(captured.topic);
                LOG.info("{} records for 3000 rows across the broker outage", records.size());
                assertThat(ids(records)).as("rows in Kafka").isEqualTo(IntStream.rangeClosed(1, 3000).boxed().collect(Collectors.toSet()));
                assertThat(service.isAlive()).as("service still running").isTrue();
            } finally {
                captured.slot.drop();
            }
        }
    }

    private static Set<Integer> ids(List<ChangeRecord> records) {
        return records.stream().map(record -> record.after().get("id").asInt()).collect(Collectors.toSet());
    }

    /** For each row among {@code subset}, how many records of {@code all} carry it. */
    private static Map<Integer, Long> countsOf(List<ChangeRecord> subset, List<ChangeRecord> all) {
        Set<Integer> ids = ids(subset);
        return all.stream().map(record -> record.after().get("id").asInt()).filter(ids::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** Inserts rows 1, 2, 3... into a captured table, one transaction each, on a thread of its own, from start() until stop(). */
    private static final class ContinuousWriter implements AutoCloseable {
        private final Captured captured;
        private final AtomicInteger written = new AtomicInteger();
        private final AtomicBoolean stopping = new AtomicBoolean();
        private CompletableFuture<Void> writing;

        ContinuousWriter(Captured captured) {
            this.captured = captured;
        }

        void start() {
            writing = CompletableFuture.runAsync(() -> {
                try (Connection connection = captured.postgres.connect();
                     PreparedStatement insert = connection.prepareStatement("INSERT INTO " + captured.table + " VALUES (?, 'row ' || ?)")) {
                    while (!stopping.get()) {
                        int id = written.get() + 1;
                        insert.setInt(1, id);
                        insert.setInt(2, id);
                        insert.executeUpdate();
                        written.set(id);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("insert into " + captured.table + " failed: " + e.getMessage(), e);
                }
            });
        }

        int written() {
            return written.get();
        }

        /** Stops writing; how many rows were written. */
        int stop() {
            stopping.set(true);
            writing.join();
            return written.get();
        }

        @Override
        public void close() {
            if (writing != null && !stopping.get()) {
                stop();
            }
        }
    }

    /** A captured table {@code (id, note)} with its topic (one partition: one order), slot and service configuration. */
    private static final class Captured {
        final PostgresDatabase postgres;
        final String table = TestNames.unique("captured");
        final String topic;
        final ServiceConfig config;
        final ReplicationSlot slot;

        Captured(PostgresDatabase postgres, KafkaCluster kafka) {
            this.postgres = postgres;
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, note text)");
            topic = kafka.createTopic(TestNames.unique("captured"));
            config = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("captured"), true)
                    .table(table, topic);
            slot = new ReplicationSlot(postgres, config.slot());
        }

        /** Inserts rows {@code from..to} in transactions of 100; the WAL position after the last. */
        Lsn insertInTransactionsOf100(int from, int to) {
            for (int first = from; first <= to; first += 100) {
                postgres.execute("INSERT INTO " + table + " SELECT g, 'row ' || g FROM generate_series(" + first + ", "
                        + Math.min(to, first + 99) + ") g");
            }
            return ReplicationSlot.currentWalLsn(postgres);
        }

        /** Runs the service until the slot is confirmed up to {@code end}, then stops it with SIGTERM. */
        void runUntilConfirmed(Path file, Path directory, String name, Lsn end) {
            PgcdcProcess.runUntilConfirmed(file, directory, name, slot, end);
        }
    }
}
