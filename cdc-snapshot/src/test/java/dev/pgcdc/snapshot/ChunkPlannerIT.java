package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each chunk strategy on a real table: the plan's shape, and that reading every chunk gives every row exactly once. */
class ChunkPlannerIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("plan");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final ConnectionFactory connections = SnapshotFixtures.connections(db);

    private List<Chunk> plan(ChunkStrategy strategy, int chunkSize) throws Exception {
        try (Connection connection = connections.open()) {
            TableShape shape = new PgTableCatalog().describe(connection, new TableId("public", table));
            return new ChunkPlanner(chunkSize).plan(connection, "job", shape, strategy, 0);
        }
    }

    private ChunkStrategy chosen(ChunkStrategy strategy, int chunkSize) throws Exception {
        try (Connection connection = connections.open()) {
            TableShape shape = new PgTableCatalog().describe(connection, new TableId("public", table));
            return new ChunkPlanner(chunkSize).choose(connection, shape, strategy);
        }
    }

    /** The first column of every row of every chunk, as text, chunk by chunk. */
    private List<List<String>> readChunks(List<Chunk> chunks, Optional<String> condition) throws Exception {
        List<List<String>> result = new ArrayList<>();
        try (ChunkReader reader = new ChunkReader(connections, new PgTableCatalog(), 7)) {
            for (Chunk chunk : chunks) {
                List<String> rows = new ArrayList<>();
                reader.read(chunk.table(), chunk.range(), condition, Optional.empty(), (shape, row, bytes) -> rows.add(String.valueOf(row.value(0))));
                result.add(rows);
            }
        }
        return result;
    }

    private static List<String> flatten(List<List<String>> chunks) {
        return chunks.stream().flatMap(List::stream).toList();
    }

    @Test
    void integerRangesCoverGapsWithCheapEmptyChunksAndReadEveryRowOnce() throws Exception {
        db.execute("CREATE TABLE " + table + " (id bigint PRIMARY KEY, v text)",
                "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1, 50) g",
                "INSERT INTO " + table + " SELECT g, 'v' || g FROM generate_series(1000, 1049) g",
                "INSERT INTO " + table + " VALUES (5000, 'last')", "ANALYZE " + table);
        List<Chunk> chunks = plan(ChunkStrategy.INTEGER_RANGE, 10);
        assertThat(chunks).hasSize(500);
        assertThat(chunks.get(0).range()).isEqualTo(new ChunkRange.KeyRange(List.of("id"), List.of(), List.of("10")));
        assertThat(chunks.get(499).range()).isEqualTo(new ChunkRange.KeyRange(List.of("id"), List.of("4990"), List.of()));
        List<List<String>> read = readChunks(chunks, Optional.empty());
        assertThat(read.stream().filter(List::isEmpty).count()).isEqualTo(500 - 5 - 6 - 1); // 1..50: 5 chunks; 1000 is in (990,1000], 1001..1049 in 5 more; 5000
        List<String> expected = new ArrayList<>();
        db.query("SELECT id FROM " + table + " ORDER BY id").forEach(row -> expected.add(row.get("id").toString()));
        assertThat(flatten(read)).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
        assertThat(chosen(ChunkStrategy.AUTO, 10)).as("auto: too sparse for integer ranges").isEqualTo(ChunkStrategy.KEYSET);
    }

    @Test
    void autoTakesIntegerRangesForADenseIntegerKey() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " SELECT generate_series(1, 1000)",
                "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 100)).isEqualTo(ChunkStrategy.INTEGER_RANGE);
        assertThat(plan(ChunkStrategy.AUTO, 100)).hasSize(10);
    }

    @Test
    void keysetCutsACompositeTextKeyIntoChunksOfExactlyChunkSizeRows() throws Exception {
        db.execute("CREATE TABLE " + table + " (\"Tenant\" text, \"co de\" text, payload int, PRIMARY KEY (\"Tenant\", \"co de\"))",
                "INSERT INTO " + table + " SELECT t, c, 1 FROM unnest(ARRAY['a', 'B', 'b', 'é', 'a b', 'x''y', 'q\"z']) t, "
                        + "(SELECT 'code-' || g AS c FROM generate_series(1, 143) g) codes",
                "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 37)).isEqualTo(ChunkStrategy.KEYSET);
        List<Chunk> chunks = plan(ChunkStrategy.AUTO, 37);
        int rows = 7 * 143;
        assertThat(chunks).hasSize(rows / 37 + 1);
        assertThat(chunks.get(0).range()).isInstanceOfSatisfying(ChunkRange.KeyRange.class, range -> {
            assertThat(range.keyColumns()).containsExactly("Tenant", "co de");
            assertThat(range.lower()).isEmpty();
            assertThat(range.upper()).hasSize(2);
        });
        List<List<String>> read = readChunks(chunks, Optional.empty());
        assertThat(read.subList(0, read.size() - 1)).allSatisfy(chunk -> assertThat(chunk).hasSize(37));
        assertThat(read.get(read.size() - 1)).hasSize(rows % 37);
        List<String> keys = new ArrayList<>();
        try (ChunkReader reader = new ChunkReader(connections, new PgTableCatalog(), 50)) {
            for (Chunk chunk : chunks) {
                reader.read(chunk.table(), chunk.range(), Optional.empty(), Optional.empty(),
                        (shape, row, bytes) -> keys.add(row.value(0) + "|" + row.value(1)));
            }
        }
        assertThat(keys).hasSize(rows).doesNotHaveDuplicates();
    }

    @Test
    void aTableWithoutKeyIsCutIntoBlockRanges() throws Exception {
        db.execute("CREATE TABLE " + table + " (v int, pad text)",
                "INSERT INTO " + table + " SELECT g, repeat('x', 200) FROM generate_series(1, 3000) g", "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 300)).isEqualTo(ChunkStrategy.CTID);
        List<Chunk> chunks = plan(ChunkStrategy.AUTO, 300);
        assertThat(chunks.size()).isGreaterThanOrEqualTo(8);
        assertThat(chunks).extracting(Chunk::range).allMatch(range -> range instanceof ChunkRange.BlockRange);
        assertThat(((ChunkRange.BlockRange) chunks.get(chunks.size() - 1).range()).toBlock()).isEqualTo(ChunkSql.END_OF_BLOCKS);
        List<String> values = flatten(readChunks(chunks, Optional.empty()));
        assertThat(values).hasSize(3000).doesNotHaveDuplicates();
        assertThatThrownBy(() -> plan(ChunkStrategy.KEYSET, 300)).isInstanceOf(ConfigurationException.class).hasMessageContaining(table);
        assertThatThrownBy(() -> plan(ChunkStrategy.INTEGER_RANGE, 300)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void anEmptyTableIsOneOpenChunk() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        assertThat(plan(ChunkStrategy.INTEGER_RANGE, 10)).extracting(Chunk::range)
                .containsExactly(new ChunkRange.KeyRange(List.of("id"), List.of(), List.of()));
        assertThat(plan(ChunkStrategy.KEYSET, 10)).hasSize(1);
        assertThat(plan(ChunkStrategy.CTID, 10)).extracting(Chunk::range).containsExactly(new ChunkRange.BlockRange(0, ChunkSql.END_OF_BLOCKS));
    }

    @Test
    void theQueryConditionRestrictsEveryChunk() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, region text)",
                "INSERT INTO " + table + " SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 90) g");
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, "i", 10, table)
                .withConditions(Optional.of("region = 'eu'"), java.util.Map.of(new TableId("public", table), "id > 45"));
        Optional<String> condition = settings.conditionFor(new TableId("public", table));
        List<String> ids = flatten(readChunks(plan(ChunkStrategy.INTEGER_RANGE, 10), condition));
        assertThat(ids).containsExactlyInAnyOrder("48", "51", "54", "57", "60", "63", "66", "69", "72", "75", "78", "81", "84", "87", "90");
    }

    /** Every row of every chunk as {@code table|first column}, chunk by chunk. */
    private List<String> readTagged(List<Chunk> chunks, Optional<String> condition) throws Exception {
        List<String> rows = new ArrayList<>();
        try (ChunkReader reader = new ChunkReader(connections, new PgTableCatalog(), 7)) {
            for (Chunk chunk : chunks) {
                reader.read(chunk.table(), chunk.range(), condition, Optional.empty(),
                        (shape, row, bytes) -> rows.add(shape.table().name() + "|" + row.value(0)));
            }
        }
        return rows;
    }

    @Test
    void aKeylessPartitionedTableIsCutIntoBlockRangesOfEachLeafPartitionAndReadAsTheRoot() throws Exception {
        db.execute("CREATE TABLE " + table + " (v int, pad text) PARTITION BY RANGE (v)",
                "CREATE TABLE " + table + "_low PARTITION OF " + table + " FOR VALUES FROM (0) TO (2000)",
                "CREATE TABLE " + table + "_mid PARTITION OF " + table + " FOR VALUES FROM (2000) TO (3000) PARTITION BY RANGE (v)",
                "CREATE TABLE " + table + "_mid_a PARTITION OF " + table + "_mid FOR VALUES FROM (2000) TO (2500)",
                "CREATE TABLE " + table + "_mid_b PARTITION OF " + table + "_mid FOR VALUES FROM (2500) TO (3000)",
                "CREATE TABLE " + table + "_empty PARTITION OF " + table + " FOR VALUES FROM (3000) TO (4000)",
                "INSERT INTO " + table + " SELECT g, repeat('x', 200) FROM generate_series(0, 2999) g", "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 300)).isEqualTo(ChunkStrategy.CTID);
        List<Chunk> chunks = plan(ChunkStrategy.AUTO, 300);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.table()).isEqualTo(new TableId("public", table)));
        List<ChunkRange.BlockRange> ranges = chunks.stream().map(chunk -> (ChunkRange.BlockRange) chunk.range()).toList();
        assertThat(ranges).extracting(range -> range.partition().orElseThrow().name()).containsOnly(table + "_low", table + "_mid_a",
                table + "_mid_b", table + "_empty");
        assertThat(ranges.stream().filter(range -> range.partition().get().name().equals(table + "_low")).count())
                .as("2000 rows of 200 bytes in chunks of 300 rows").isGreaterThanOrEqualTo(5);
        assertThat(ranges.stream().filter(range -> range.toBlock() == ChunkSql.END_OF_BLOCKS).count()).as("each leaf ends open")
                .isEqualTo(4);

        List<String> rows = readTagged(chunks, Optional.empty());
        assertThat(rows).hasSize(3000).doesNotHaveDuplicates().allMatch(row -> row.startsWith(table + "|"));
        assertThat(readTagged(chunks, Optional.of("v % 100 = 0 AND pad <> ''"))).as("the query condition applies in every partition")
                .hasSize(30);
    }

    @Test
    void aPartitionedTableWithAnIntegerKeyIsCutByKeyAcrossItsPartitionsFromTheirRowEstimate() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text) PARTITION BY RANGE (id)",
                "CREATE TABLE " + table + "_a PARTITION OF " + table + " FOR VALUES FROM (1) TO (1501)",
                "CREATE TABLE " + table + "_b PARTITION OF " + table + " FOR VALUES FROM (1501) TO (10000)",
                "INSERT INTO " + table + " SELECT g, 'v' FROM generate_series(1, 3000) g", "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 100)).as("dense once the leaves' estimates count").isEqualTo(ChunkStrategy.INTEGER_RANGE);
        List<Chunk> chunks = plan(ChunkStrategy.AUTO, 100);
        assertThat(chunks).hasSize(30);
        assertThat(readTagged(chunks, Optional.of("id > 2900"))).hasSize(100).allMatch(row -> row.startsWith(table + "|"));
        assertThat(readTagged(plan(ChunkStrategy.KEYSET, 100), Optional.empty())).hasSize(3000).doesNotHaveDuplicates();
        assertThat(readTagged(plan(ChunkStrategy.CTID, 100), Optional.empty())).as("ctid forced: per partition as well")
                .hasSize(3000).doesNotHaveDuplicates();
    }

    @Test
    void aConfiguredStrategyIsHonouredAndAnImpossibleOneNamesTheTableAndTheSetting() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)", "INSERT INTO " + table + " SELECT g, 'v' FROM generate_series(1, 500) g",
                "ANALYZE " + table);
        assertThat(chosen(ChunkStrategy.AUTO, 50)).isEqualTo(ChunkStrategy.INTEGER_RANGE);
        List<Chunk> keyset = plan(ChunkStrategy.KEYSET, 50);
        assertThat(keyset).hasSize(11).allSatisfy(chunk -> assertThat(chunk.range()).isInstanceOf(ChunkRange.KeyRange.class));
        assertThat(flatten(readChunks(keyset, Optional.empty()))).hasSize(500).doesNotHaveDuplicates();
        List<Chunk> ctid = plan(ChunkStrategy.CTID, 50);
        assertThat(ctid).hasSizeGreaterThan(1).allSatisfy(chunk -> assertThat(chunk.range()).isInstanceOf(ChunkRange.BlockRange.class));
        assertThat(flatten(readChunks(ctid, Optional.empty()))).hasSize(500).doesNotHaveDuplicates();

        String text = capture.table("plantext");
        String composite = capture.table("plancomp");
        db.execute("CREATE TABLE " + text + " (code text PRIMARY KEY)", "CREATE TABLE " + composite + " (a int, b int, PRIMARY KEY (a, b))");
        try (Connection connection = connections.open()) {
            PgTableCatalog catalog = new PgTableCatalog();
            ChunkPlanner planner = new ChunkPlanner(50);
            TableShape textShape = catalog.describe(connection, new TableId("public", text));
            assertThatThrownBy(() -> planner.check(connection, textShape, ChunkStrategy.INTEGER_RANGE))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("table public." + text)
                    .hasMessageContaining("pgcdc.publication.tables[].snapshot-strategy = integer-range")
                    .hasMessageContaining("code of type text");
            TableShape compositeShape = catalog.describe(connection, new TableId("public", composite));
            assertThatThrownBy(() -> planner.plan(connection, "job", compositeShape, ChunkStrategy.INTEGER_RANGE, 0))
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("composite [a, b]");
            planner.check(connection, textShape, ChunkStrategy.KEYSET);
            planner.check(connection, compositeShape, ChunkStrategy.CTID);
        }
    }
}
