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
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #4's acceptance test: the service is killed with {@code kill -9} in the middle of a 200k-change
 * load (20 transactions of 10k rows: 10k keys inserted, then each updated 19 times, so every key has
 * versions 0 to 19) and started again. By default every change reaches Kafka at least once, in order
 * per key; in exactly-once mode a {@code read_committed} consumer sees each change exactly once.
 */
@TestEnvironment
class CrashRecoveryEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRecoveryEndToEndIT.class);
    private static final int KEYS = 10_000;
    private static final int VERSIONS = 20; // 1 insert + 19 updates per key, one transaction each
    private static final int CHANGES = KEYS * VERSIONS;
    private static final long KILL_AFTER_RECORDS = CHANGES / 3;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void atLeastOnceByDefaultEveryChangeArrivesAndEachKeyEndsAtItsLastVersion(PostgresDatabase postgres, KafkaCluster kafka) {
        Load load = new Load(postgres, kafka);
        try {
            load.runWithKillAndRestart(directory, TopicReader.of(kafka));

            List<ChangeRecord> records = TopicReader.of(kafka).readAll(load.topic);
            LOG.info("at-least-once: {} records for {} changes ({} sent again after the kill)", records.size(), CHANGES,
                    records.size() - CHANGES);
            assertThat(verdictsByKey(records, CrashRecoveryEndToEndIT::atLeastOnceVerdict)).as("keys by what their records show")
                    .isEqualTo(Map.of(IN_ORDER_REPLAYED_AT_MOST_ONCE, (long) KEYS));
        } finally {
            load.slot.drop();
        }
    }

    @Test
    void exactlyOnceModeAReadCommittedConsumerSeesEveryChangeOnce(PostgresDatabase postgres, KafkaCluster kafka) {
        Load load = new Load(postgres, kafka, "pgcdc.kafka.exactly-once = true");
        try {
            load.runWithKillAndRestart(directory, TopicReader.readCommitted(kafka));

            List<ChangeRecord> records = TopicReader.readCommitted(kafka).readAll(load.topic);
            assertThat(records).as("committed records").hasSize(CHANGES);
            assertThat(records.stream().collect(Collectors.groupingBy(ChangeRecord::op, Collectors.counting())))
                    .isEqualTo(Map.of("c", (long) KEYS, "u", (long) KEYS * (VERSIONS - 1)));
            assertThat(verdictsByKey(records, versions -> versions.equals(ALL_VERSIONS) ? "versions 0..19, once each, in order"
                    : "versions " + versions)).as("keys by what their records show")
                    .isEqualTo(Map.of("versions 0..19, once each, in order", (long) KEYS));
        } finally {
            load.slot.drop();
        }
    }

    private static final List<Integer> ALL_VERSIONS = IntStream.range(0, VERSIONS).boxed().toList();
    private static final String IN_ORDER_REPLAYED_AT_MOST_ONCE = "versions 0..19 in order, a tail sent again at most once";

    /**
     * At least once, in order: the versions form at most two runs of consecutive versions (one more
     * per restart), the first from 0, the second starting no later than where the first ended
     * (a replay from the last confirmed position, never a gap), the last ending at 19.
     */
    private static String atLeastOnceVerdict(List<Integer> versions) {
        List<int[]> runs = new ArrayList<>();
        for (int version : versions) {
            int[] run = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (run != null && version == run[1] + 1) {
                run[1] = version;
            } else {
                runs.add(new int[] {version, version});
            }
        }
        boolean valid = runs.size() <= 2 && runs.get(0)[0] == 0 && runs.get(runs.size() - 1)[1] == VERSIONS - 1
                && (runs.size() == 1 || runs.get(1)[0] <= runs.get(0)[1] + 1);
        return valid ? IN_ORDER_REPLAYED_AT_MOST_ONCE
                : "runs " + runs.stream().map(run -> run[0] + "-" + run[1]).collect(Collectors.joining(", "));
    }

    /** How many keys get each verdict, from each key's versions in the order its partition holds them. */
    private static Map<String, Long> verdictsByKey(List<ChangeRecord> records, Function<List<Integer>, String> verdict) {
        Map<String, List<Integer>> versionsByKey = new LinkedHashMap<>();
        for (ChangeRecord record : records) {
            versionsByKey.computeIfAbsent(record.keyText(), key -> new ArrayList<>()).add(record.after().get("version").asInt());
        }
        return versionsByKey.values().stream().collect(Collectors.groupingBy(verdict, Collectors.counting()));
    }

    /** The table, topic, slot and service configuration of one test, and the load with its kill and restart. */
    private static final class Load {
        final PostgresDatabase postgres;
        final String table = TestNames.unique("crash");
        final String topic;
        final ServiceConfig config;
        final ReplicationSlot slot;

        Load(PostgresDatabase postgres, KafkaCluster kafka, String... extraConfig) {
            this.postgres = postgres;
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, version integer NOT NULL, note text)");
            topic = kafka.createTopic(TestNames.unique("crash"), 3);
            config = ServiceConfig.of(postgres, kafka)
                    .publication(table + "_pub", true)
                    .slot(TestNames.unique("crash"), true)
                    .table(table, topic);
            for (String line : extraConfig) {
                config.with(line);
            }
            slot = new ReplicationSlot(postgres, config.slot());
        }

        /**
         * Starts the service, writes the load, kills the service once a third of it is in Kafka, lets
         * the load finish, starts the service again and waits until it has confirmed the whole load.
         */
        void runWithKillAndRestart(Path directory, TopicReader progress) {
            Path file = config.writeTo(directory);
            CompletableFuture<Lsn> writes;
            try (PgcdcProcess first = PgcdcProcess.run(file, directory, "first")) {
                slot.awaitStreamingBy(first, Duration.ofSeconds(60));
                writes = CompletableFuture.supplyAsync(this::write);
                await("a third of the load in " + topic).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .failFast("the first service exited", () -> !first.isAlive())
                        .until(() -> progress.endOffsetSum(topic) >= KILL_AFTER_RECORDS);
                first.kill();
                LOG.info("killed the service with {} records in {}", progress.endOffsetSum(topic), topic);
            }
            Lsn loadEnd = writes.join();
            try (PgcdcProcess second = PgcdcProcess.run(file, directory, "second")) {
                slot.awaitStreamingBy(second, Duration.ofSeconds(60));
                await("slot " + slot.name() + " confirmed up to the end of the load, " + loadEnd).atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200))
                        .failFast("the restarted service exited", () -> !second.isAlive())
                        .until(() -> !slot.confirmedFlushLsn().isBefore(loadEnd));
                second.sigterm();
                assertThat(second.awaitExit(Duration.ofSeconds(30))).as("exit code after SIGTERM\n%s", second.tail()).isZero();
            }
        }

        /** 10k inserts, then 19 updates of every row, one transaction each; the WAL position after the last commit. */
        private Lsn write() {
            postgres.execute("INSERT INTO " + table + " SELECT g, 0, 'version 0 of ' || g FROM generate_series(1, " + KEYS + ") g");
            for (int version = 1; version < VERSIONS; version++) {
                postgres.execute("UPDATE " + table + " SET version = " + version + ", note = 'version " + version + " of ' || id");
            }
            return ReplicationSlot.currentWalLsn(postgres);
        }
    }
}
