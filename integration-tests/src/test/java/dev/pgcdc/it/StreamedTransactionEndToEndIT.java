package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transaction far larger than {@code logical_decoding_work_mem}, which PostgreSQL streams to the
 * service while it is still open and the service buffers on disk (past
 * {@code postgres.stream-buffer-memory}), rolls back to a savepoint and loses its walsender before it
 * commits: after the commit Kafka holds exactly the rows it committed, each once, and none of the
 * rolled-back ones, and the spill directory is empty again.
 */
@TestEnvironment
class StreamedTransactionEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(StreamedTransactionEndToEndIT.class);
    private static final int KEPT_BEFORE = 100_000; // ids 1..100000, before the savepoint
    private static final int ROLLED_BACK = 100_000; // ids 100001..200000, rolled back to the savepoint
    private static final int KEPT_AFTER = 50_000; // ids 200001..250000, after the rollback

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void aSpilledStreamedTransactionRolledBackToASavepointThatLosesItsWalsenderDeliversExactlyItsCommittedRowsAndLeavesNoSpillFile(
            PostgresDatabase postgres, KafkaCluster kafka) throws SQLException {
        String table = TestNames.unique("streamed");
        String role = TestNames.unique("streamer");
        // PostgreSQL streams an open transaction once it holds more than logical_decoding_work_mem of it: 64kB for the
        // service's own role (its walsender runs with the role's settings), so the test need not write gigabytes
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, payload text)",
                "CREATE PUBLICATION " + table + "_pub FOR TABLE " + table,
                "CREATE ROLE " + role + " LOGIN REPLICATION SUPERUSER PASSWORD '" + postgres.password().replace("'", "''") + "'",
                "ALTER ROLE " + role + " SET logical_decoding_work_mem = '64kB'");
        Path spill = directory.resolve("spill");
        String topic = kafka.createTopic(TestNames.unique("streamed"));
        ServiceConfig config = ServiceConfig.of(postgres, kafka).publication(table + "_pub", false)
                .slot(TestNames.unique("streamed"), true).table(table, topic)
                .with("pgcdc.postgres.user = \"" + role + "\"")
                .with("pgcdc.postgres.stream-buffer-memory = 64KiB")
                .with("pgcdc.postgres.spill-directory = \"" + spill + "\"");
        ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
        try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service")) {
            slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            int firstWalsender = slot.activePid().orElseThrow();

            try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
                connection.setAutoCommit(false);
                statement.execute(insert(table, 1, KEPT_BEFORE));
                statement.execute("SAVEPOINT undone");
                statement.execute(insert(table, KEPT_BEFORE + 1, KEPT_BEFORE + ROLLED_BACK));
                statement.execute("ROLLBACK TO SAVEPOINT undone");
                statement.execute(insert(table, KEPT_BEFORE + ROLLED_BACK + 1, KEPT_BEFORE + ROLLED_BACK + KEPT_AFTER));
                Lsn written = currentInsertLsn(statement);
                // a commit elsewhere flushes the WAL (the open transaction's included), which walsenders read only once flushed
                postgres.execute("SELECT pg_current_xact_id()");

                service.awaitWhileRunning("the open transaction buffered in a spill file in " + spill, Duration.ofSeconds(90),
                        () -> !spillFiles(spill).isEmpty());
                service.awaitWhileRunning("the open transaction and its rollback decoded up to " + written, Duration.ofSeconds(90),
                        () -> !slot.sentLsn().isBefore(written));
                assertThat(slot.terminateWalsender()).as("walsender of slot %s terminated", slot.name()).isTrue();
                service.awaitWhileRunning("a new walsender on slot " + slot.name(), Duration.ofSeconds(60),
                        () -> slot.activePid().filter(pid -> pid != firstWalsender).isPresent());
                service.awaitWhileRunning("the open transaction streamed again up to " + written, Duration.ofSeconds(90),
                        () -> !slot.sentLsn().isBefore(written));
                LOG.info("walsender {} terminated in the middle of the open transaction; the service reconnected", firstWalsender);
                connection.commit();
            }
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            slot.awaitConfirmed(end, service, Duration.ofSeconds(120));

            List<ChangeRecord> records = TopicReader.of(kafka).readAll(topic);
            Set<Integer> committed = IntStream.concat(IntStream.rangeClosed(1, KEPT_BEFORE),
                    IntStream.rangeClosed(KEPT_BEFORE + ROLLED_BACK + 1, KEPT_BEFORE + ROLLED_BACK + KEPT_AFTER)).boxed().collect(Collectors.toSet());
            Set<Integer> ids = records.stream().map(record -> record.after().get("id").asInt()).collect(Collectors.toSet());
            assertThat(describe(ids, id -> !committed.contains(id))).as("rows in Kafka that were rolled back").isEqualTo("none");
            assertThat(describe(committed, id -> !ids.contains(id))).as("committed rows missing from Kafka").isEqualTo("none");
            assertThat(records.size()).as("records (each committed row once)").isEqualTo(committed.size());
            assertThat(spillFiles(spill)).as("spill files left once the transaction is in Kafka").isEmpty();

            service.stopGracefully(Duration.ofSeconds(60));
            assertThat(spillFiles(spill)).as("spill files left after the stop").isEmpty();
        } finally {
            slot.drop();
            postgres.execute("DROP OWNED BY " + role, "DROP ROLE " + role);
        }
    }

    /** "none", or how many of {@code ids} match and the first few of them. */
    private static String describe(Set<Integer> ids, IntPredicate matching) {
        List<Integer> found = ids.stream().filter(matching::test).sorted().toList();
        return found.isEmpty() ? "none" : found.size() + " ids, from " + found.subList(0, Math.min(10, found.size()));
    }

    private static String insert(String table, int from, int to) {
        return "INSERT INTO " + table + " SELECT g, 'row ' || g FROM generate_series(" + from + ", " + to + ") g";
    }

    private static Lsn currentInsertLsn(Statement statement) throws SQLException {
        try (ResultSet row = statement.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            row.next();
            return Lsn.parse(row.getString(1));
        }
    }

    /** The files in the spill directory (none when it does not exist). */
    private static List<Path> spillFiles(Path spill) {
        if (!Files.isDirectory(spill)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(spill)) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
