package dev.pgcdc.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.app.process.PgcdcJvm;
import dev.pgcdc.testkit.process.ChildJvm;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pgcdc run} in a JVM of its own, stopped with SIGTERM in the middle of a stream of inserts: it
 * exits 0, and the restart delivers every row once (the stop finished the transaction it came in).
 */
@TestEnvironment
class GracefulShutdownIT {

    private static final int TRANSACTIONS = 40;
    private static final int ROWS_PER_TRANSACTION = 250;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service logs
    Path directory;

    @Test
    void sigtermFinishesTheTransactionDrainsExitsZeroAndARestartNeitherLosesNorRepeats(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        DemoSetup setup = new DemoSetup(postgres, kafka);
        Path config = setup.writeConfig(directory, "pgcdc.logging.level = info\n");
        try {
            long stoppedIn;
            try (ChildJvm first = PgcdcJvm.start(directory, "first", List.of(), "run", "--config", config.toString())) {
                first.awaitOutput("streaming; started in", Duration.ofSeconds(60));
                CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < TRANSACTIONS; i++) {
                        postgres.execute("INSERT INTO " + setup.table + " (name) SELECT 'row ' || g FROM generate_series(1, "
                                + ROWS_PER_TRANSACTION + ") g");
                    }
                });
                kafka.awaitRecords(setup.topic, ROWS_PER_TRANSACTION, Duration.ofSeconds(60));

                long signalled = System.nanoTime();
                first.sigterm();
                assertThat(first.awaitExit(Duration.ofSeconds(60))).as("exit status after SIGTERM; output:\n%s", first.tail()).isZero();
                stoppedIn = Duration.ofNanos(System.nanoTime() - signalled).toMillis();
                assertThat(first.output()).contains("received SIGTERM", "stopped cleanly", "exiting with status 0").doesNotContain("ERROR");
                writes.join();
            }
            assertThat(stoppedIn).as("milliseconds from SIGTERM to exit").isLessThan(25_000);
            assertThat(postgres.queryValue(Boolean.class, "SELECT active FROM pg_replication_slots WHERE slot_name = ?", setup.slot))
                    .as("slot released").isFalse();

            try (ChildJvm second = PgcdcJvm.start(directory, "second", List.of(), "run", "--config", config.toString())) {
                // count distinct keys first: were anything sent twice, the count of records below says so
                Set<String> keys = new HashSet<>();
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    kafka.readAll(setup.topic).forEach(record -> keys.add(record.key()));
                    assertThat(keys).as("distinct rows in Kafka").hasSize(TRANSACTIONS * ROWS_PER_TRANSACTION);
                });
                // the stop finished the transaction it came in and confirmed all of it: the restart sends nothing again
                assertThat(kafka.readAll(setup.topic)).as("records in Kafka after the restart").hasSize(TRANSACTIONS * ROWS_PER_TRANSACTION);
                second.sigterm();
                assertThat(second.awaitExit(Duration.ofSeconds(60))).isZero();
            }
        } finally {
            setup.dropSlot();
        }
    }
}
