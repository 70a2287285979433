package dev.pgcdc.snapshot;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableShape;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a table into chunks of about {@code chunkSize} rows:
 * <ul>
 *   <li>{@link ChunkStrategy#INTEGER_RANGE}: {@code min} and {@code max} of a single integer key (two index
 *       look-ups), then ranges of {@code chunkSize} key values; ranges in gaps are empty and cost one index probe;</li>
 *   <li>{@link ChunkStrategy#KEYSET}: any key; one ordered pass over the key ({@code row_number()} over the
 *       key order, every {@code chunkSize}-th key kept) gives the boundaries, never an {@code OFFSET} scan;</li>
 *   <li>{@link ChunkStrategy#CTID}: ranges of heap blocks, sized from the table's rows per page. A partitioned
 *       table has no heap: ctids are per partition, so each leaf partition gets block ranges of its own, read from
 *       that partition ({@link ChunkRange.BlockRange#partition()}) and still reported as the table planned.</li>
 * </ul>
 * {@link ChunkStrategy#AUTO} takes the integer range when the key is a single {@code int2}/{@code int4}/{@code int8}
 * column dense enough (at most twice the chunks the row estimate asks for; a partitioned table's estimate is
 * its leaves'), keyset for other keys, ctid without one. A strategy configured for the table
 * ({@code publication.tables[].snapshot-strategy}) that cannot cut it (integer range without a single integer
 * key, keyset without a key) is a {@link ConfigurationException} naming the table and the setting, raised by
 * {@link #check} before anything is read. The first and the last chunk of a table (of a partition, for ctid)
 * are open-ended, so rows outside the planned bounds are read too. Runs on a connection the caller provides
 * (inside the snapshot's transaction, ideally); not thread-safe.
 */
public final class ChunkPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkPlanner.class);
    private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8");
    /** Rows per heap page assumed for a table never analyzed. */
    private static final double DEFAULT_ROWS_PER_PAGE = 50;
    /** The setting a forced strategy comes from, for error messages. */
    static final String STRATEGY_SETTING = "pgcdc.publication.tables[].snapshot-strategy";
    /**
     * The heaps of a table: the table itself, or the leaf partitions of a partitioned one (a leaf that is a
     * foreign table has no blocks: it is read whole). Size in blocks, rows and pages of the last analysis.
     */
    private static final String HEAPS = "SELECT true AS own, n.nspname, c.relname, "
            + "pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples, c.relpages "
            + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE c.oid = pg_catalog.to_regclass(?) AND c.relkind <> 'p' "
            + "UNION ALL SELECT false, n.nspname, c.relname, "
            + "CASE WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_relation_size(c.oid) / current_setting('block_size')::bigint END, "
            + "c.reltuples, c.relpages "
            + "FROM pg_catalog.pg_partition_tree(pg_catalog.to_regclass(?)) t JOIN pg_catalog.pg_class c ON c.oid = t.relid "
            + "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE t.level > 0 AND t.isleaf AND c.relkind <> 'p' ORDER BY 1 DESC, 2, 3";

    private final int chunkSize;

    public ChunkPlanner(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    /**
     * The chunks of one table, numbered from {@code firstChunkId}.
     *
     * @throws ConfigurationException when {@code strategy} does not fit the table (no key, or not a single integer key)
     */
    public List<Chunk> plan(Connection connection, String jobId, TableShape shape, ChunkStrategy strategy, long firstChunkId)
            throws SQLException {
        ChunkStrategy chosen = choose(connection, shape, strategy);
        List<ChunkRange> ranges = switch (chosen) {
            case INTEGER_RANGE -> integerRanges(connection, shape);
            case KEYSET -> keysetRanges(connection, shape);
            case CTID -> blockRanges(connection, shape);
            case AUTO -> throw new IllegalStateException("auto was not resolved");
        };
        LOG.info("planned {}: {} chunk(s) by {} ({} rows per chunk)", shape.table(), ranges.size(), chosen.configName(), chunkSize);
        List<Chunk> chunks = new ArrayList<>(ranges.size());
        long id = firstChunkId;
        for (ChunkRange range : ranges) {
            chunks.add(new Chunk(jobId, id++, shape.table(), range));
        }
        return chunks;
    }

    /**
     * Checks that {@code requested} can cut the table, from the catalog alone (no row is read).
     *
     * @throws ConfigurationException naming the table, the strategy and {@link #STRATEGY_SETTING} when it cannot
     */
    public void check(Connection connection, TableShape shape, ChunkStrategy requested) throws SQLException {
        switch (requested) {
            case INTEGER_RANGE -> {
                String type = shape.chunkKey().size() == 1 ? keyType(connection, shape) : null;
                if (type == null || !INTEGER_TYPES.contains(type)) {
                    throw new ConfigurationException("table " + shape.table() + ": " + STRATEGY_SETTING + " = integer-range needs a single"
                            + " int2, int4 or int8 key, but the table's key is " + describeKey(shape, type) + "; use keyset, ctid or auto");
                }
            }
            case KEYSET -> {
                if (shape.chunkKey().isEmpty()) {
                    throw new ConfigurationException("table " + shape.table() + ": " + STRATEGY_SETTING + " = keyset needs a primary key"
                            + " (or a replica identity index), but the table has none; use ctid or auto");
                }
            }
            default -> {
                // auto and ctid fit every table
            }
        }
    }

    private static String describeKey(TableShape shape, String singleType) {
        if (shape.chunkKey().isEmpty()) {
            return "none (no primary key, no replica identity index)";
        }
        return shape.chunkKey().size() > 1 ? "composite " + shape.chunkKey() : shape.chunkKey().get(0) + " of type " + singleType;
    }

    /** The strategy {@code requested} resolves to for this table. */
    ChunkStrategy choose(Connection connection, TableShape shape, ChunkStrategy requested) throws SQLException {
        check(connection, shape, requested);
        if (requested != ChunkStrategy.AUTO) {
            return requested;
        }
        if (shape.chunkKey().isEmpty()) {
            return ChunkStrategy.CTID;
        }
        boolean singleInteger = shape.chunkKey().size() == 1 && INTEGER_TYPES.contains(keyType(connection, shape));
        return singleInteger && dense(connection, shape) ? ChunkStrategy.INTEGER_RANGE : ChunkStrategy.KEYSET;
    }

    /**
     * The type name of the single chunk-key column, from the catalog: the key need not be among the columns a
     * publication's column list sends (an insert-only publication may leave it out).
     */
    private static String keyType(Connection connection, TableShape shape) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT t.typname FROM pg_catalog.pg_attribute a "
                + "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid WHERE a.attrelid = pg_catalog.to_regclass(?) AND a.attname = ?")) {
            statement.setString(1, shape.table().quoted());
            statement.setString(2, shape.chunkKey().get(0));
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getString(1) : "unknown";
            }
        }
    }

    /** Whether integer ranges over min..max make at most twice the chunks the row estimate needs (plus a few). */
    private boolean dense(Connection connection, TableShape shape) throws SQLException {
        BigInteger[] bounds = minMax(connection, shape);
        if (bounds == null) {
            return true;
        }
        BigInteger span = bounds[1].subtract(bounds[0]).add(BigInteger.ONE);
        double rows = 0;
        for (Heap heap : heaps(connection, shape)) {
            rows += Math.max(heap.tuples(), 0);
        }
        BigInteger chunks = span.add(BigInteger.valueOf(chunkSize - 1L)).divide(BigInteger.valueOf(chunkSize));
        long needed = (long) Math.ceil(rows / chunkSize);
        return chunks.compareTo(BigInteger.valueOf(2 * needed + 16)) <= 0;
    }

    private List<ChunkRange> integerRanges(Connection connection, TableShape shape) throws SQLException {
        List<String> key = shape.chunkKey();
        BigInteger[] bounds = minMax(connection, shape);
        if (bounds == null) {
            return List.of(new ChunkRange.KeyRange(key, List.of(), List.of()));
        }
        BigInteger size = BigInteger.valueOf(chunkSize);
        List<ChunkRange> ranges = new ArrayList<>();
        BigInteger lower = bounds[0].subtract(BigInteger.ONE); // exclusive
        boolean first = true;
        while (true) {
            BigInteger upper = lower.add(size);
            boolean last = upper.compareTo(bounds[1]) >= 0;
            ranges.add(new ChunkRange.KeyRange(key, first ? List.of() : List.of(lower.toString()), last ? List.of() : List.of(upper.toString())));
            if (last) {
                return ranges;
            }
            first = false;
            lower = upper;
        }
    }

    /** {min, max} of the single key column, or null for an empty table. */
    private static BigInteger[] minMax(Connection connection, TableShape shape) throws SQLException {
        String key = ChunkSql.identifier(shape.chunkKey().get(0));
        try (PreparedStatement statement = connection.prepareStatement("SELECT min(" + key + ")::text, max(" + key + ")::text FROM "
                + shape.table().quoted()); ResultSet row = statement.executeQuery()) {
            row.next();
            String min = row.getString(1);
            return min == null ? null : new BigInteger[] {new BigInteger(min), new BigInteger(row.getString(2))};
        }
    }

    private List<ChunkRange> keysetRanges(Connection connection, TableShape shape) throws SQLException {
        List<String> key = shape.chunkKey();
        String columns = ChunkSql.identifiers(key);
        String sql = "SELECT " + columns + " FROM (SELECT " + columns + ", row_number() OVER (ORDER BY " + columns + ") AS pgcdc_row FROM "
                + shape.table().quoted() + ") AS keys WHERE pgcdc_row % ? = 0 ORDER BY pgcdc_row";
        List<ChunkRange> ranges = new ArrayList<>();
        List<String> lower = List.of();
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false); // a cursor needs a transaction
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setFetchSize(1000);
            statement.setLong(1, chunkSize);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    List<String> upper = new ArrayList<>(key.size());
                    for (int i = 1; i <= key.size(); i++) {
                        upper.add(rows.getString(i));
                    }
                    ranges.add(new ChunkRange.KeyRange(key, lower, upper));
                    lower = upper;
                }
            }
        } finally {
            if (autoCommit) {
                connection.commit();
                connection.setAutoCommit(true);
            }
        }
        ranges.add(new ChunkRange.KeyRange(key, lower, List.of()));
        return ranges;
    }

    /**
     * A relation with rows: the table, or one of its leaf partitions.
     *
     * @param partition the leaf partition, empty for the table itself
     * @param blocks    its size in blocks; -1 when it has no heap (a foreign table)
     */
    private record Heap(Optional<TableId> partition, long blocks, double tuples, long pages) {
    }

    private static List<Heap> heaps(Connection connection, TableShape shape) throws SQLException {
        List<Heap> heaps = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(HEAPS)) {
            statement.setString(1, shape.table().quoted());
            statement.setString(2, shape.table().quoted());
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    Optional<TableId> partition = row.getBoolean(1) ? Optional.empty()
                            : Optional.of(new TableId(row.getString(2), row.getString(3)));
                    long blocks = row.getObject(4) == null ? -1 : row.getLong(4);
                    heaps.add(new Heap(partition, blocks, row.getDouble(5), row.getLong(6)));
                }
            }
        }
        return heaps;
    }

    private List<ChunkRange> blockRanges(Connection connection, TableShape shape) throws SQLException {
        List<Heap> heaps = heaps(connection, shape);
        if (heaps.isEmpty()) {
            if (!exists(connection, shape)) {
                throw new ConfigurationException("table " + shape.table() + " does not exist; check snapshot.tables");
            }
            // a partitioned table without partitions: one chunk that reads it (finding no row)
            return List.of(new ChunkRange.BlockRange(0, ChunkSql.END_OF_BLOCKS));
        }
        List<ChunkRange> ranges = new ArrayList<>();
        for (Heap heap : heaps) {
            if (heap.blocks() < 0) {
                ranges.add(new ChunkRange.BlockRange(0, ChunkSql.END_OF_BLOCKS, heap.partition())); // no ctid: read whole
                continue;
            }
            double rowsPerPage = heap.tuples() > 0 && heap.pages() > 0 ? heap.tuples() / heap.pages() : DEFAULT_ROWS_PER_PAGE;
            long blocksPerChunk = Math.max(1, (long) Math.floor(chunkSize / rowsPerPage));
            long from = 0;
            while (from + blocksPerChunk < heap.blocks()) {
                ranges.add(new ChunkRange.BlockRange(from, from + blocksPerChunk, heap.partition()));
                from += blocksPerChunk;
            }
            ranges.add(new ChunkRange.BlockRange(from, ChunkSql.END_OF_BLOCKS, heap.partition()));
        }
        return ranges;
    }

    private static boolean exists(Connection connection, TableShape shape) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            statement.setString(1, shape.table().quoted());
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }
}
