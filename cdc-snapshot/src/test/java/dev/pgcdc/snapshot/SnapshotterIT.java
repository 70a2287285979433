package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.snapshot.SnapshotExporter;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chunked snapshot against a real server: every chunk, on every instance's connection, reads the
 * exported state and none of the commits after the export (which proves each one imported the job's
 * snapshot); a lost exporting session falls back to fresh snapshots; chunks are marked done only after
 * all their rows are acknowledged; two instances split one job through the PostgreSQL claim store.
 */
class SnapshotterIT {

    private static final int ROWS = 2000;

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("snapit");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String schema = TestNames.unique("coord");
    private final ConnectionFactory connections = SnapshotFixtures.connections(db);

    @AfterEach
    void dropCoordinationSchema() {
        db.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** The real exporter; after each export it runs {@code afterExport} (commits the snapshot must not see). */
    private record ExporterThen(SnapshotExporter delegate, List<ExportedSnapshot> exported, Runnable afterExport) implements SnapshotExporter {
        @Override
        public ExportedSnapshot createSlotWithSnapshot(String slotName) {
            ExportedSnapshot snapshot = delegate.createSlotWithSnapshot(slotName);
            exported.add(snapshot);
            afterExport.run();
            return snapshot;
        }

        @Override
        public ExportedSnapshot exportSnapshot() {
            ExportedSnapshot snapshot = delegate.exportSnapshot();
            exported.add(snapshot);
            afterExport.run();
            return snapshot;
        }
    }

    private void createTable() {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO " + table + " SELECT g, g FROM generate_series(1, " + ROWS + ") g", "ANALYZE " + table);
    }

    /** Changes every row, deletes some and adds others: a chunk that did not import the snapshot sees it. */
    private void changeEverything() {
        db.execute("UPDATE " + table + " SET v = v + 100000", "DELETE FROM " + table + " WHERE id % 10 = 0",
                "INSERT INTO " + table + " SELECT g, -g FROM generate_series(" + (ROWS + 1) + ", " + (ROWS + 500) + ") g");
    }

    private ChunkedSnapshotter snapshotter(SnapshotSettings settings, ChunkClaimStore store, SnapshotExporter exporter) {
        return new ChunkedSnapshotter(settings, store, exporter, connections, new PgTableCatalog(), null);
    }

    @Test
    void everyChunkOfEveryInstanceReadsTheExportedStateAndNoLaterCommit() throws Exception {
        createTable();
        ChunkClaimStore store = SnapshotFixtures.postgresStore(db, schema);
        List<ExportedSnapshot> exported = new CopyOnWriteArrayList<>();
        SnapshotExporter exporter = new ExporterThen(new PgSnapshotExporter(connections), exported, this::changeEverything);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ChunkedSnapshotter first = snapshotter(SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "first", 50, table)
                .withId(TestNames.unique("job")), store, exporter)) {
            String jobId = first.jobId();
            try (ChunkedSnapshotter second = snapshotter(SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "second", 50, table)
                    .withId(jobId), store, exporter)) {
                first.start();
                second.start();
                // the first instance is drained only once the second finished a chunk: until then the first's reader waits on its
                // full hand-off with its chunks unacknowledged, so both instances take part however fast the first would be
                Future<List<ChangeEvent>> ofSecond = pool.submit(() -> SnapshotFixtures.drain(second, Duration.ofSeconds(120)));
                org.awaitility.Awaitility.await("a chunk done by the second instance").atMost(Duration.ofSeconds(60))
                        .until(() -> store.progress(jobId).doneChunks() > 0);
                Future<List<ChangeEvent>> ofFirst = pool.submit(() -> SnapshotFixtures.drain(first, Duration.ofSeconds(120)));
                List<ChangeEvent> events = new ArrayList<>(ofFirst.get());
                List<ChangeEvent> fromSecond = ofSecond.get();
                events.addAll(fromSecond);

                assertThat(exported).as("one export for the job").hasSize(1);
                assertThat(events).hasSize(ROWS).allSatisfy(event -> {
                    assertThat(event.operation()).isEqualTo(Operation.READ);
                    assertThat(event.isSnapshot()).isTrue();
                    assertThat((Integer) event.after().value("v")).as("row %s read the exported value", event.after().value("id"))
                            .isEqualTo(event.after().value("id"));
                    assertThat(event.commitLsn()).isEqualTo(exported.get(0).consistentPoint());
                    assertThat(event.keyColumns()).containsExactly("id");
                });
                assertThat(events.stream().map(event -> event.after().value("id")).distinct()).hasSize(ROWS);
                assertThat(fromSecond).as("the second instance took part").isNotEmpty();
                assertThat(ofFirst.get()).as("the first instance took part").isNotEmpty();
                assertPositionsIncrease(ofFirst.get(), exported.get(0).consistentPoint());
                assertPositionsIncrease(fromSecond, exported.get(0).consistentPoint());
                assertThat(store.job(jobId).orElseThrow().state()).isEqualTo(SnapshotJob.State.COMPLETED);
                assertThat(store.progress(jobId).rows()).isEqualTo(ROWS);
                assertThat(store.progress(jobId).doneChunks()).isEqualTo(ROWS / 50);
                assertThat(exported.get(0).isAlive()).as("the exporting session ends with the job").isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertPositionsIncrease(List<ChangeEvent> events, Lsn consistentPoint) {
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).position().commitLsn()).isEqualTo(Lsn.of(consistentPoint.value() - 1));
            if (i > 0) {
                assertThat(events.get(i).position()).isGreaterThan(events.get(i - 1).position());
            }
        }
    }

    @Test
    void whenTheExportingSessionIsGoneTheChunksAreReadUnderAFreshSnapshot() throws Exception {
        createTable();
        InMemoryClaimStore store = new InMemoryClaimStore();
        List<ExportedSnapshot> exported = new CopyOnWriteArrayList<>();
        SnapshotExporter exporter = new ExporterThen(new PgSnapshotExporter(connections), exported, () -> { });
        String jobId = TestNames.unique("job");
        store.afterSavePlan(() -> {
            exported.get(0).close(); // the exporting session dies after planning (a restart, a network failure)
            changeEverything();
        });
        try (ChunkedSnapshotter snapshot = snapshotter(SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "only", 100, table)
                .withId(jobId), store, exporter)) {
            snapshot.start();
            List<ChangeEvent> events = SnapshotFixtures.drain(snapshot, Duration.ofSeconds(60));
            Map<Object, Object> read = new java.util.HashMap<>();
            events.forEach(event -> read.put(event.after().value("id"), event.after().value("v")));
            Map<Object, Object> now = new java.util.HashMap<>();
            db.query("SELECT id, v FROM " + table).forEach(row -> now.put(row.get("id"), row.get("v")));
            assertThat(read).as("every row as it is now: nothing lost").containsAllEntriesOf(now);
            assertThat(snapshot.isComplete()).isTrue();
        }
    }

    @Test
    void aChunkIsMarkedDoneOnlyAfterEveryOneOfItsRowsIsAcknowledged() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " SELECT generate_series(1, 50)");
        InMemoryClaimStore store = new InMemoryClaimStore();
        List<ExportedSnapshot> exported = new CopyOnWriteArrayList<>();
        SnapshotExporter exporter = new ExporterThen(new PgSnapshotExporter(connections), exported, () -> { });
        try (ChunkedSnapshotter snapshot = snapshotter(SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "only", 10, table)
                .withId(TestNames.unique("job")), store, exporter)) {
            snapshot.start();
            List<ChangeEvent> events = SnapshotFixtures.take(snapshot, 50, Duration.ofSeconds(30));
            // every row was read and handed out; none acknowledged: no chunk may be done, the job runs on
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> store.doneCalls().isEmpty() && !snapshot.isComplete());
            assertThat(exported.get(0).isAlive()).isTrue();

            List<ChangeEvent> firstChunk = events.stream().filter(event -> (Integer) event.after().value("id") <= 10).toList();
            assertThat(firstChunk).hasSize(10);
            firstChunk.subList(0, 9).forEach(event -> snapshot.acknowledge(event.position()));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> store.doneCalls().isEmpty());
            snapshot.acknowledge(firstChunk.get(9).position());
            await().atMost(Duration.ofSeconds(10)).until(() -> store.doneCalls().size() == 1);
            assertThat(store.doneCalls().get(0).rows()).isEqualTo(10);
            assertThat(store.doneCalls().get(0).chunk().chunkId()).isZero();
            assertThat(snapshot.isComplete()).isFalse();

            events.stream().filter(event -> (Integer) event.after().value("id") > 10).forEach(event -> snapshot.acknowledge(event.position()));
            await().atMost(Duration.ofSeconds(10)).until(snapshot::isComplete);
            assertThat(store.doneCalls()).hasSize(5).allSatisfy(call -> assertThat(call.rows()).isEqualTo(10));
            assertThat(exported.get(0).isAlive()).as("the exporting session ends with the job").isFalse();
            assertThat(snapshot.progress().doneChunks()).isEqualTo(5);
        }
    }

    @Test
    void whileAChunkIsReadTheNextIsClaimedAheadAndAStopGivesBothBack() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " SELECT generate_series(1, 5000)");
        InMemoryClaimStore store = new InMemoryClaimStore();
        String jobId;
        try (ChunkedSnapshotter snapshot = snapshotter(SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "only", 50, table)
                .withId(TestNames.unique("job")), store, new PgSnapshotExporter(connections))) {
            jobId = snapshot.jobId();
            snapshot.start();
            // nothing is acknowledged: the reader fills its hand-off, then waits to hand over a chunk
            SnapshotFixtures.take(snapshot, 60, Duration.ofSeconds(30));
            await("the reader waits on its full hand-off").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(20))
                    .until(() -> snapshot.progress().emittedRows() > 60 && store.claimedBy(jobId, "only").size()
                            == chunksOf(snapshot.progress().emittedRows()) + 1);
            long read = chunksOf(snapshot.progress().emittedRows());
            assertThat(store.claimedBy(jobId, "only")).as("the %d chunks read (none acknowledged) and the next, claimed ahead", read)
                    .hasSize((int) read + 1);
        }
        assertThat(store.claimedBy(jobId, "only")).as("the stop gave every claim back, the one made ahead included").isEmpty();
        assertThat(store.doneCalls()).isEmpty();
        int claimable = 0;
        while (store.claim(jobId, "next", Duration.ofHours(1)).isPresent()) {
            claimable++;
        }
        assertThat(claimable).as("every chunk is claimable at once by the next instance").isEqualTo(store.chunks(jobId).size());
    }

    /** Chunks of 50 rows that {@code rows} rows fill. */
    private static long chunksOf(long rows) {
        return (rows + 49) / 50;
    }

    @Test
    void aPlannerThatDiedIsReplacedAndAChunkClaimedByADeadInstanceIsTakenOver() throws Exception {
        createTable();
        ChunkClaimStore real = SnapshotFixtures.postgresStore(db, schema);
        String jobId = TestNames.unique("job");
        real.openJob(jobId, "dead-planner"); // created the job, then died before planning
        AtomicReference<Optional<Chunk>> deadClaim = new AtomicReference<>(Optional.empty());
        // a dead instance claims a chunk as soon as the plan is stored, and never heartbeats
        ChunkClaimStore store = afterSavePlan(real, () -> deadClaim.set(real.claimNext(jobId, "dead-reader", Duration.ofSeconds(3))));
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "survivor", 500, table).withId(jobId);
        try (ChunkedSnapshotter survivor = snapshotter(settings, store, new PgSnapshotExporter(connections))) {
            survivor.start();
            List<ChangeEvent> events = SnapshotFixtures.drain(survivor, Duration.ofSeconds(60));
            assertThat(real.job(jobId).orElseThrow().planner()).isEqualTo("survivor");
            assertThat(deadClaim.get()).as("the dead instance held a chunk").isPresent();
            assertThat(events).hasSize(ROWS);
            assertThat(events.stream().map(event -> event.after().value("id")).distinct()).hasSize(ROWS);
            assertThat(real.progress(jobId).rows()).isEqualTo(ROWS);
        }
    }

    @Test
    void aChunkWhoseConnectionBreaksIsReadAgain() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO " + table + " SELECT g, g FROM generate_series(1, 6000) g");
        InMemoryClaimStore store = new InMemoryClaimStore();
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "only", 6000, table)
                .withId(TestNames.unique("job"));
        try (ChunkedSnapshotter snapshot = snapshotter(settings, store, new PgSnapshotExporter(connections))) {
            snapshot.start();
            // the reader blocks on the full hand-off in the middle of the one chunk, its cursor open
            List<ChangeEvent> first = SnapshotFixtures.take(snapshot, 100, Duration.ofSeconds(30));
            String reading = "SELECT \"id\", \"v\" FROM \"public\".\"" + table + "\"%";
            await().atMost(Duration.ofSeconds(10)).until(() -> db.queryValue(Long.class,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE ?", reading) == 1);
            db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE ?", reading);
            first.forEach(event -> snapshot.acknowledge(event.position()));
            List<ChangeEvent> rest = SnapshotFixtures.drain(snapshot, Duration.ofSeconds(60));
            List<Object> ids = new ArrayList<>();
            first.forEach(event -> ids.add(event.after().value("id")));
            rest.forEach(event -> ids.add(event.after().value("id")));
            assertThat(ids.stream().distinct()).hasSize(6000);
            assertThat(ids.size()).as("the chunk was read again after the failure").isGreaterThan(6000);
            assertThat(store.doneCalls()).singleElement().satisfies(call -> assertThat(call.rows()).isEqualTo(6000));
        }
    }

    @Test
    void initialTakesACompletedSnapshotOnlyAgainWhenItsSlotIsGoneOrOnResnapshot() throws Exception {
        createTable();
        ChunkClaimStore store = SnapshotFixtures.postgresStore(db, schema);
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "only", 1000, table);
        try (ChunkedSnapshotter first = SnapshotFixtures.snapshotter(db, settings, store, capture.slot())) {
            first.start();
            assertThat(SnapshotFixtures.drain(first, Duration.ofSeconds(60))).hasSize(ROWS);
        }
        try (ChunkedSnapshotter again = SnapshotFixtures.snapshotter(db, settings, store, capture.slot())) {
            again.start();
            assertThat(again.isComplete()).as("completed for this slot: nothing to read").isTrue();
            assertThat(again.poll(10, Duration.ofMillis(100))).isEmpty();
        }
        try (ChunkedSnapshotter resnapshot = SnapshotFixtures.snapshotter(db, settings.withResnapshot(true), store, capture.slot())) {
            resnapshot.start();
            assertThat(SnapshotFixtures.drain(resnapshot, Duration.ofSeconds(60))).hasSize(ROWS);
        }
        db.dropReplicationSlotIfExists(capture.slot());
        try (ChunkedSnapshotter slotGone = SnapshotFixtures.snapshotter(db, settings, store, capture.slot())) {
            slotGone.start();
            assertThat(slotGone.isComplete()).isFalse();
            assertThat(SnapshotFixtures.drain(slotGone, Duration.ofSeconds(60))).hasSize(ROWS);
            assertThat(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                    capture.slot())).as("the slot was created again, with the snapshot").isEqualTo(slotGone.consistentPoint().toString());
        }
    }

    /** {@code store}, running {@code action} after each {@code savePlan}. */
    private static ChunkClaimStore afterSavePlan(ChunkClaimStore store, Runnable action) {
        return (ChunkClaimStore) Proxy.newProxyInstance(ChunkClaimStore.class.getClassLoader(), new Class<?>[] {ChunkClaimStore.class},
                (proxy, method, arguments) -> {
                    try {
                        Object result = method.invoke(store, arguments);
                        if (method.getName().equals("savePlan")) {
                            action.run();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
