package dev.pgcdc.it.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The initial snapshot as users run it: the packaged service (child JVMs) with {@code pgcdc.snapshot.*}
 * from docs/configuration.md, against the test kit's PostgreSQL and Kafka. {@code initial} under a
 * continuous load of inserts, updates and deletes: the topic replayed as upserts equals the table,
 * and no row is both in the snapshot and created again by the stream. {@code snapshot_only}: every
 * row once, exit 0, no slot; the same job again reads nothing and says how to take it again. Several instances on one job, one of them killed with {@code kill -9}
 * in the middle: its chunks are taken over and every row reaches Kafka; a restart resumes from the
 * done chunks instead of from zero.
 */
@TestEnvironment
class SnapshotEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEndToEndIT.class);
    private static final Duration BOUND = Duration.ofMinutes(4);
    private static final String COMPLETE_LINE = "initial snapshot complete";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path directory;

    @Test
    void initialSnapshotUnderWritesThenStreamsAndTheTopicReplaysToTheTable(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        String table = TestNames.unique("snap");
        int rows = 500_000;
        createAndFill(postgres, table, rows);
        String topic = kafka.createTopic(TestNames.unique("snap"), 3);
        ServiceConfig service = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(TestNames.unique("snap"), true)
                .table(table, topic)
                .with("pgcdc.snapshot { mode = initial, chunk-size = 8000 }");
        Path config = service.writeTo(directory);
        ReplicationSlot slot = new ReplicationSlot(postgres, service.slot());
        try (Writer writer = new Writer(postgres, table, rows); PgcdcProcess pgcdc = PgcdcProcess.run(config, directory, "initial")) {
            writer.start();
            pgcdc.awaitLogLine(COMPLETE_LINE, BOUND);
            await("writes after the snapshot").atMost(BOUND).until(() -> writer.commits() > writer.commitsAt + 200);
            int commits = writer.stop();
            LOG.info("{} commits of the writers, {} until the snapshot completed ({} per second)", commits, writer.commitsAt,
                    writer.commitsAt * 1000L / Math.max(1, writer.millisAt));
            assertThat(writer.commitsAt).as("writer commits until the snapshot completed").isGreaterThan(1000);
            Lsn end = ReplicationSlot.currentWalLsn(postgres);
            slot.awaitConfirmed(end, pgcdc, BOUND);

            Replay replay = new Replay();
            TopicReader.of(kafka).scan(topic, BOUND, replay::apply);
            assertThat(replay.reads).as("READ records").isGreaterThanOrEqualTo(rows - writer.deletedDuringSnapshotBound());
            assertThat(replay.readsNotMarkedSnapshot).as("READ records without source.snapshot = true").isZero();
            assertThat(replay.recreatedAfterSnapshot).as("ids in the snapshot and created again by the stream").isEmpty();
            assertThat(replay.changedBeforeRead).as("ids updated or deleted by the stream before the snapshot read them").isEmpty();
            assertThat(replay.rows).as("the topic replayed as upserts and deletes").isEqualTo(tableContent(postgres, table));
            pgcdc.stopGracefully(Duration.ofSeconds(60));
        } finally {
            slot.drop();
        }
    }

    @Test
    void snapshotOnlyReadsEveryRowOnceExitsZeroAndCreatesNoSlot(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("snaponly");
        int rows = 25_000;
        createAndFill(postgres, table, rows);
        String topic = kafka.createTopic(TestNames.unique("snaponly"), 3);
        ServiceConfig service = ServiceConfig.of(postgres, kafka).publication(table + "_pub", false).slot(TestNames.unique("snaponly"), false)
                .table(table, topic)
                .with("pgcdc.snapshot { mode = snapshot_only, chunk-size = 3000, id = \"" + TestNames.unique("only") + "\", tables = [\"public."
                        + table + "\"] }");
        Path config = service.writeTo(directory);
        try (PgcdcProcess pgcdc = PgcdcProcess.run(config, directory, "only")) {
            assertThat(pgcdc.awaitExit(BOUND)).as("exit code\n%s", pgcdc.tail()).isZero();
        }
        List<ChangeRecord> records = TopicReader.of(kafka).readAll(topic);
        assertThat(records).allMatch(r -> "r".equals(r.op()));
        assertThat(ids(records)).as("ids read").hasSize(rows).containsExactlyInAnyOrderElementsOf(range(rows));
        assertThat(records).as("every row once").hasSize(rows);

        // the same job again: completed, so nothing is read, and the log says how to take it again
        try (PgcdcProcess again = PgcdcProcess.run(config, directory, "again")) {
            assertThat(again.awaitExit(BOUND)).as("exit code\n%s", again.tail()).isZero();
            assertThat(again.stdout()).contains("a completed job is not taken again: give pgcdc.snapshot.id a new value");
        }
        assertThat(TopicReader.of(kafka).readAll(topic)).as("nothing sent again").hasSize(rows);
        assertThat(postgres.queryValue(Long.class, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", service.slot()))
                .as("slots named " + service.slot()).isZero();
    }

    @Test
    void threeInstancesShareOneJobAndTheChunksOfAKilledOneAreTakenOverThenARestartResumes(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("snapmulti");
        int rows = 400_000;
        createAndFill(postgres, table, rows);
        String topic = kafka.createTopic(TestNames.unique("snapmulti"), 3);
        String job = TestNames.unique("job");
        ServiceConfig service = ServiceConfig.of(postgres, kafka).publication(table + "_pub", false).slot(TestNames.unique("snapmulti"), false)
                .table(table, topic)
                .with("pgcdc.snapshot { mode = snapshot_only, chunk-size = 4000, claim-timeout = 6s, heartbeat-interval = 1s, id = \""
                        + job + "\", tables = [\"public." + table + "\"] }");
        Path config = service.writeTo(directory);
        List<PgcdcProcess> processes = new ArrayList<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                processes.add(PgcdcProcess.run(config, directory, name));
            }
            await("chunks done by several instances").atMost(BOUND).pollInterval(Duration.ofMillis(100))
                    .until(() -> doneChunks(postgres, job) >= 20);
            PgcdcProcess victim = processes.get(0);
            long doneBeforeKill = doneChunks(postgres, job);
            victim.kill();
            LOG.info("killed instance a after {} chunks were done", doneBeforeKill);
            for (PgcdcProcess survivor : processes.subList(1, 3)) {
                assertThat(survivor.awaitExit(BOUND)).as("exit code of %s\n%s", survivor, survivor.tail()).isZero();
            }
            Map<String, Long> chunksByOwner = postgres.query("SELECT owner, count(*) AS n FROM pgcdc.snapshot_chunk WHERE job_id = ?"
                    + " GROUP BY owner", job).stream().collect(Collectors.toMap(row -> String.valueOf(row.get("owner")),
                            row -> ((Number) row.get("n")).longValue()));
            LOG.info("chunks per instance: {}", chunksByOwner);
            assertThat(chunksByOwner).as("instances that finished chunks").hasSizeGreaterThanOrEqualTo(2);
            BitSet seen = new BitSet(rows + 1);
            long records = TopicReader.of(kafka).scan(topic, BOUND, record -> seen.set(record.row().get("id").asInt()));
            assertThat(seen.cardinality()).as("distinct ids read by the three instances").isEqualTo(rows);
            assertThat(seen.nextSetBit(0)).isEqualTo(1);
            assertThat(seen.length()).isEqualTo(rows + 1);
            LOG.info("{} records for {} rows (a killed instance's unacknowledged chunks are read again)", records, rows);

            // a restart of a job killed half-way reads only what was not done (a smaller table: the first 120,000 rows)
            int restartRows = 120_000;
            String second = TestNames.unique("job");
            Path resumeConfig = ServiceConfig.of(postgres, kafka).publication(table + "_pub", false).slot(TestNames.unique("snapre"), false)
                    .table(table, topic)
                    .with("pgcdc.snapshot { mode = snapshot_only, chunk-size = 2000, claim-timeout = 3s, heartbeat-interval = 1s, id = \""
                            + second + "\", query-condition = \"id <= " + restartRows + "\", tables = [\"public." + table + "\"] }")
                    .writeTo(directory);
            long before = TopicReader.of(kafka).endOffsetSum(topic);
            PgcdcProcess first = PgcdcProcess.run(resumeConfig, directory, "first");
            processes.add(first);
            await("a third of the second job").atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() -> doneChunks(postgres, second) >= 20);
            first.kill();
            long done = doneChunks(postgres, second);
            PgcdcProcess restarted = PgcdcProcess.run(resumeConfig, directory, "restarted");
            processes.add(restarted);
            assertThat(restarted.awaitExit(BOUND)).as("exit code of the restarted instance\n%s", restarted.tail()).isZero();
            long written = TopicReader.of(kafka).endOffsetSum(topic) - before;
            LOG.info("second job: {} chunks done before the kill, {} records written by both runs for {} rows", done, written, restartRows);
            assertThat(written).as("records of the second job: every row, and the done chunks not again").isGreaterThanOrEqualTo(restartRows)
                    .isLessThan(2L * restartRows - done * 2000L + 2 * 2000L);
        } finally {
            processes.forEach(PgcdcProcess::close);
        }
    }

    /** Chunks of {@code job} done; 0 before the first instance created the coordination tables. */
    static long doneChunks(PostgresDatabase postgres, String job) {
        if (postgres.queryValue(String.class, "SELECT to_regclass('pgcdc.snapshot_chunk')::text") == null) {
            return 0;
        }
        List<Map<String, Object>> found = postgres.query("SELECT count(*) AS n FROM pgcdc.snapshot_chunk WHERE job_id = ? AND state = 'done'", job);
        return found.isEmpty() ? 0 : ((Number) found.get(0).get("n")).longValue();
    }

    static void createAndFill(PostgresDatabase postgres, String table, int rows) {
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, note text NOT NULL, v integer NOT NULL)",
                "INSERT INTO " + table + " SELECT g, 'row ' || g, 0 FROM generate_series(1, " + rows + ") g");
    }

    static List<Integer> range(int rows) {
        List<Integer> ids = new ArrayList<>(rows);
        for (int i = 1; i <= rows; i++) {
            ids.add(i);
        }
        return ids;
    }

    private static Set<Integer> ids(List<ChangeRecord> records) {
        return records.stream().filter(r -> r.value() != null).map(r -> r.row().get("id").asInt()).collect(Collectors.toSet());
    }

    private static Map<Integer, String> tableContent(PostgresDatabase postgres, String table) {
        Map<Integer, String> rows = new HashMap<>();
        for (Map<String, Object> row : postgres.query("SELECT id, note, v FROM " + table)) {
            rows.put(((Number) row.get("id")).intValue(), row.get("note") + "/" + row.get("v"));
        }
        return rows;
    }

    /**
     * The topic applied record by record, each partition in offset order (a key lives in one
     * partition): READ, create and update upsert, delete removes, tombstones are skipped.
     */
    private static final class Replay {
        final Map<Integer, String> rows = new HashMap<>();
        final Set<Integer> recreatedAfterSnapshot = new HashSet<>();
        final Set<Integer> changedBeforeRead = new HashSet<>();
        private final Set<Integer> streamed = new HashSet<>();
        long reads;
        long readsNotMarkedSnapshot;

        void apply(ChangeRecord record) {
            if (record.value() == null) {
                return; // a tombstone
            }
            JsonNode row = record.row();
            int id = row.get("id").asInt();
            switch (record.op()) {
                case "r" -> {
                    reads++;
                    if (!record.source().path("snapshot").asBoolean()) {
                        readsNotMarkedSnapshot++;
                    }
                    if (streamed.contains(id)) {
                        changedBeforeRead.add(id);
                    }
                    rows.put(id, row.get("note").asText() + "/" + row.get("v").asText());
                }
                case "c" -> {
                    streamed.add(id);
                    if (rows.containsKey(id)) {
                        recreatedAfterSnapshot.add(id);
                    }
                    rows.put(id, row.get("note").asText() + "/" + row.get("v").asText());
                }
                case "u" -> {
                    streamed.add(id);
                    rows.put(id, row.get("note").asText() + "/" + row.get("v").asText());
                }
                case "d" -> {
                    streamed.add(id);
                    rows.remove(id);
                }
                default -> throw new AssertionError("unexpected op " + record.op() + " in " + record);
            }
        }
    }

    /** Single-row transactions, about 1,000 per second over two connections: inserts of new ids, updates and deletes of existing ones. */
    private static final class Writer implements AutoCloseable {
        private static final int CONNECTIONS = 2;
        private static final long NANOS_PER_COMMIT = 1_000_000_000L / 500; // per connection
        private final PostgresDatabase postgres;
        private final String table;
        private final AtomicInteger nextId;
        private final AtomicInteger commits = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger deletes = new AtomicInteger();
        private final int initialRows;
        private final List<Thread> threads = new ArrayList<>();
        private volatile Throwable failure;
        private long startedAt;
        volatile int commitsAt;
        volatile long millisAt;

        Writer(PostgresDatabase postgres, String table, int rows) {
            this.postgres = postgres;
            this.table = table;
            this.initialRows = rows;
            this.nextId = new AtomicInteger(rows);
        }

        void start() {
            startedAt = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                Thread thread = new Thread(this::run, "snapshot-writer-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        int commits() {
            if (commitsAt == 0) {
                commitsAt = commits.get(); // first asked once the snapshot completed
                millisAt = (System.nanoTime() - startedAt) / 1_000_000;
            }
            return commits.get();
        }

        /** Deletes may remove rows before the snapshot reads them: a bound of READs missing for that reason. */
        int deletedDuringSnapshotBound() {
            return deletes.get();
        }

        private void run() {
            try (Connection connection = postgres.connect();
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, 0)");
                 PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET v = v + 1, note = ? WHERE id = ?");
                 PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
                connection.setAutoCommit(true);
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long next = System.nanoTime();
                while (running.get()) {
                    int choice = random.nextInt(10);
                    if (choice < 4) {
                        int id = nextId.incrementAndGet();
                        insert.setInt(1, id);
                        insert.setString(2, "new " + id);
                        insert.executeUpdate();
                    } else if (choice < 9) {
                        update.setString(1, "changed " + commits.get());
                        update.setInt(2, 1 + random.nextInt(nextId.get()));
                        update.executeUpdate();
                    } else {
                        delete.setInt(1, 1 + random.nextInt(initialRows));
                        if (delete.executeUpdate() > 0) {
                            deletes.incrementAndGet();
                        }
                    }
                    commits.incrementAndGet();
                    next += NANOS_PER_COMMIT;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        int stop() throws InterruptedException {
            close();
            if (failure != null) {
                throw new AssertionError("a writer failed", failure);
            }
            return commits.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(60_000);
            }
        }
    }
}
