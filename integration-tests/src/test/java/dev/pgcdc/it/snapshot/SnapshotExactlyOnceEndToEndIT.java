package dev.pgcdc.it.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot in exactly-once mode (docs/operations.md, "Initial snapshot"), with the packaged
 * service against the test kit's PostgreSQL and Kafka: three instances share the job; in the middle of
 * it one is killed with {@code kill -9} and another is frozen with SIGSTOP (a zombie that still holds
 * claims and an open transaction). The third takes their chunks over after {@code claim-timeout},
 * fencing their transactional ids first; the zombie, thawed afterwards, can commit nothing more. A
 * {@code read_committed} consumer then sees every row exactly once, and the stream that follows the
 * snapshot adds each new row once.
 */
@TestEnvironment
class SnapshotExactlyOnceEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotExactlyOnceEndToEndIT.class);
    private static final Duration BOUND = Duration.ofMinutes(3);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path directory;

    @Test
    void killedAndFrozenInstancesNeverShowAChunkTwiceToReadCommittedConsumers(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        String table = TestNames.unique("snapeos");
        int rows = 100_000;
        SnapshotEndToEndIT.createAndFill(postgres, table, rows);
        String topic = kafka.createTopic(TestNames.unique("snapeos"), 3);
        ServiceConfig service = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("snapeos"), true)
                .table(table, topic)
                .with("pgcdc.kafka.exactly-once = true")
                .with("pgcdc.kafka.offsets-topic = \"" + TestNames.unique("snapeos_offsets") + "\"")
                .with("pgcdc.snapshot { mode = initial, chunk-size = 1000, claim-timeout = 3s, heartbeat-interval = 500ms }");
        Path config = service.writeTo(directory);
        String job = service.slot();
        List<PgcdcProcess> processes = new ArrayList<>();
        try {
            for (String name : List.of("killed", "frozen", "survivor")) {
                processes.add(PgcdcProcess.run(config, directory, name));
            }
            PgcdcProcess killed = processes.get(0);
            PgcdcProcess frozen = processes.get(1);
            PgcdcProcess survivor = processes.get(2);
            // each instance has finished a chunk (so the kill and the freeze hit instances at work, holding claims): the first
            // to start may otherwise do the first chunks alone, the snapshot being fast
            survivor.awaitWhileRunning("a chunk done by each instance", BOUND, () -> ownersOfDoneChunks(postgres, job) == processes.size());
            killed.kill();
            signal(frozen, "STOP");
            LOG.info("killed one instance and froze another after {} chunks were done", SnapshotEndToEndIT.doneChunks(postgres, job));

            survivor.awaitLogLine("initial snapshot complete", BOUND);
            Map<String, Long> chunksByOwner = postgres.query("SELECT owner, count(*) AS n FROM pgcdc.snapshot_chunk WHERE job_id = ?"
                    + " GROUP BY owner", job).stream().collect(Collectors.toMap(row -> String.valueOf(row.get("owner")),
                            row -> ((Number) row.get("n")).longValue()));
            LOG.info("chunks per instance: {}", chunksByOwner);
            assertThat(chunksByOwner).as("instances that finished chunks").hasSizeGreaterThanOrEqualTo(2);
            assertThat(survivor.stdout()).as("the survivor fenced the transactional id of a previous chunk owner")
                    .contains("fenced the Kafka transactional id");

            // the zombie thaws: its producer was fenced, so whatever it still holds is never committed; it fails
            // on its next write, or (frozen between two chunks) finds the job complete and waits for the slot
            signal(frozen, "CONT");
            await("the thawed zombie fails or finds the job complete").atMost(BOUND).pollInterval(Duration.ofMillis(200))
                    .until(() -> !frozen.isAlive() || frozen.stdout().contains("initial snapshot complete"));
            LOG.info("the thawed zombie {}", frozen.isAlive() ? "found the job complete" : "exited with " + frozen.awaitExit(BOUND));

            // the stream after the snapshot: each new row once
            int added = 50;
            postgres.execute("INSERT INTO " + table + " SELECT g, 'row ' || g, 0 FROM generate_series(" + (rows + 1) + ", " + (rows + added) + ") g");
            TopicReader committed = TopicReader.readCommitted(kafka);
            List<ChangeRecord> records = new ArrayList<>();
            await("every row and the streamed ones on " + topic).atMost(BOUND).pollInterval(Duration.ofMillis(500)).until(() -> {
                records.clear();
                records.addAll(committed.readAll(topic));
                return records.size() >= rows + added;
            });
            Map<Integer, Long> copies = records.stream().collect(Collectors.groupingBy(r -> r.row().get("id").asInt(), Collectors.counting()));
            assertThat(copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).limit(20).toList())
                    .as("ids a read_committed consumer sees more than once").isEmpty();
            assertThat(copies.keySet()).as("ids read").hasSize(rows + added)
                    .containsExactlyInAnyOrderElementsOf(SnapshotEndToEndIT.range(rows + added));
            assertThat(records.stream().collect(Collectors.groupingBy(ChangeRecord::op, Collectors.counting())))
                    .containsEntry("r", (long) rows).containsEntry("c", (long) added);
            assertThat(survivor.isAlive()).as("the survivor streams on\n%s", survivor.tail()).isTrue();
        } finally {
            processes.forEach(PgcdcProcess::close);
        }
    }

    private static long ownersOfDoneChunks(PostgresDatabase postgres, String job) {
        if (SnapshotEndToEndIT.doneChunks(postgres, job) == 0) {
            return 0;
        }
        return postgres.queryValue(Long.class, "SELECT count(DISTINCT owner) FROM pgcdc.snapshot_chunk WHERE job_id = ? AND state = 'done'", job);
    }

    private static void signal(PgcdcProcess process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %s", signal, process).isZero();
    }
}
