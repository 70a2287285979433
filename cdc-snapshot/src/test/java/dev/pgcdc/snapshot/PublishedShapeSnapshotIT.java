package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.SnapshotJob;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.postgres.TableSettings;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mode {@code initial} against a real server where the publication shapes the stream: snapshot events
 * carry exactly the columns and the table name the stream gives the same table (a column list, a
 * partitioned table published via its root, chunked by ctid per partition), the per-table query condition
 * still applies, and a configured chunk strategy the table cannot take fails the job before a slot or a
 * snapshot is made.
 */
class PublishedShapeSnapshotIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("pubshape");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final TableId tableId = new TableId("public", table);
    private final String schema = TestNames.unique("coord");

    @AfterEach
    void dropCoordinationSchema() {
        db.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    private ChunkedSnapshotter snapshotter(SnapshotSettings settings) {
        ConnectionFactory connections = SnapshotFixtures.connections(db);
        ChunkClaimStore store = SnapshotFixtures.postgresStore(db, schema);
        return new ChunkedSnapshotter(settings, store, new PgSnapshotExporter(connections), connections,
                new PgTableCatalog(capture.publication()), capture.slot());
    }

    /**
     * Runs the snapshot, then streams; once streaming, runs {@code change} and polls until an event of it
     * arrived. Returns every event, acknowledged.
     */
    private List<ChangeEvent> snapshotThenStream(SnapshotSettings settings, List<TableSettings> published, String change) throws Exception {
        List<ChangeEvent> events = new ArrayList<>();
        try (SnapshotThenStream source = new SnapshotThenStream(snapshotter(settings), () -> new PostgresSource(
                SnapshotFixtures.sourceSettings(db, capture.publication(), capture.slot()).tables(published).build()))) {
            source.start();
            pollUntil(source, events, e -> source.isStreaming());
            db.execute(change);
            pollUntil(source, events, e -> e != null && e.operation() != Operation.READ);
        }
        return events;
    }

    private static void pollUntil(SnapshotThenStream source, List<ChangeEvent> events, Predicate<ChangeEvent> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            assertThat(System.nanoTime()).as("condition not met in time; %d events so far", events.size()).isLessThan(deadline);
            List<ChangeEvent> batch = source.poll(500, Duration.ofMillis(100));
            for (ChangeEvent event : batch) {
                source.acknowledge(event.position());
                events.add(event);
            }
            if (done.test(events.isEmpty() ? null : events.get(events.size() - 1))) {
                return;
            }
        }
    }

    private static List<String> names(ChangeEvent event) {
        return event.after().columns().stream().map(Column::name).toList();
    }

    @Test
    void aColumnListGivesSnapshotEventsTheColumnsOfStreamedEvents() throws Exception {
        assumeThat(db.serverMajorVersion()).as("publication column lists need PostgreSQL 15").isGreaterThanOrEqualTo(15);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, secret text NOT NULL, v int)",
                "INSERT INTO " + table + " SELECT g, 'secret ' || g, g FROM generate_series(1, 250) g",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " (id, v)");
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "one", 100, table);
        List<ChangeEvent> events = snapshotThenStream(settings, List.of(new TableSettings(tableId, null, List.of("id", "v"))),
                "INSERT INTO " + table + " VALUES (1000, 'streamed secret', 1000)");
        List<ChangeEvent> reads = events.stream().filter(e -> e.operation() == Operation.READ).toList();
        ChangeEvent insert = events.get(events.size() - 1);
        assertThat(reads).hasSize(250);
        assertThat(insert.operation()).isEqualTo(Operation.INSERT);
        assertThat(names(insert)).containsExactly("id", "v");
        assertThat(reads).allSatisfy(read -> {
            assertThat(read.after().columns()).isEqualTo(insert.after().columns());
            assertThat(read.keyColumns()).isEqualTo(insert.keyColumns());
        });
    }

    @Test
    void aRowFilterKeepsFromTheSnapshotTheRowsTheStreamWouldNotPublishTogetherWithTheQueryCondition() throws Exception {
        assumeThat(db.serverMajorVersion()).as("publication row filters need PostgreSQL 15").isGreaterThanOrEqualTo(15);
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, region text NOT NULL)",
                "INSERT INTO " + table + " SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 300) g",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WHERE (region = 'eu')");
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "one", 40, table)
                .withConditions(Optional.empty(), Map.of(tableId, "id <= 150"));
        List<ChangeEvent> events = snapshotThenStream(settings, List.of(TableSettings.of(tableId, null)),
                "INSERT INTO " + table + " VALUES (1000, 'us'), (1001, 'eu')");
        List<ChangeEvent> reads = events.stream().filter(e -> e.operation() == Operation.READ).toList();
        assertThat(reads).as("the eu rows up to id 150, each once").hasSize(50)
                .extracting(e -> e.after().value("id")).doesNotHaveDuplicates().allMatch(id -> (Integer) id % 3 == 0 && (Integer) id <= 150);
        assertThat(events.get(events.size() - 1).after().value("id")).as("the stream filters the same way").isEqualTo(1001);
    }

    @Test
    void aKeylessPartitionedTablePublishedViaItsRootIsReadPerPartitionUnderTheRootsName() throws Exception {
        db.execute("CREATE TABLE " + table + " (v int, note text) PARTITION BY RANGE (v)",
                "CREATE TABLE " + table + "_a PARTITION OF " + table + " FOR VALUES FROM (0) TO (600)",
                "CREATE TABLE " + table + "_b PARTITION OF " + table + " FOR VALUES FROM (600) TO (100000)",
                "INSERT INTO " + table + " SELECT g, repeat('n', 100) FROM generate_series(0, 1199) g",
                "ANALYZE " + table,
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table + " WITH (publish_via_partition_root = true)");
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "one", 100, table)
                .withConditions(Optional.empty(), Map.of(tableId, "v % 2 = 0"));
        List<ChangeEvent> events = snapshotThenStream(settings, List.of(TableSettings.of(tableId, null)),
                "INSERT INTO " + table + " VALUES (700, 'streamed')");
        List<ChangeEvent> reads = events.stream().filter(e -> e.operation() == Operation.READ).toList();
        ChangeEvent insert = events.get(events.size() - 1);
        assertThat(insert.table()).as("the stream names the root").isEqualTo(tableId);
        assertThat(reads).as("the even values of both partitions, each once").hasSize(600)
                .extracting(e -> e.after().value("v")).doesNotHaveDuplicates().allMatch(v -> (Integer) v % 2 == 0);
        assertThat(reads).extracting(ChangeEvent::table).containsOnly(tableId);
        assertThat(reads).allSatisfy(read -> assertThat(read.after().columns()).isEqualTo(insert.after().columns()));
    }

    @Test
    void anImpossibleConfiguredStrategyFailsTheJobBeforeTheSlotOrAnyReadNamingTheTableAndTheSetting() throws Exception {
        db.execute("CREATE TABLE " + table + " (code text PRIMARY KEY)", "INSERT INTO " + table + " VALUES ('a'), ('b')",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table);
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "one", 100, table)
                .withStrategies(Map.of(tableId, ChunkStrategy.INTEGER_RANGE));
        ChunkedSnapshotter snapshot = snapshotter(settings);
        try {
            snapshot.start();
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                    assertThat(snapshot.poll(10, Duration.ofMillis(100))).as("no row is read").isEmpty();
                }
            }).isInstanceOf(CdcException.class).hasMessageContaining("table " + tableId)
                    .hasMessageContaining("pgcdc.publication.tables[].snapshot-strategy = integer-range");
        } finally {
            snapshot.close();
        }
        assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?", capture.slot()))
                .as("no slot was created").isZero();
        ChunkClaimStore store = SnapshotFixtures.postgresStore(db, schema);
        try {
            assertThat(store.job(capture.slot()).orElseThrow().state()).isEqualTo(SnapshotJob.State.FAILED);
        } finally {
            store.close();
        }
    }
}
