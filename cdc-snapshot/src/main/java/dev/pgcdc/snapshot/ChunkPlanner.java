package dev.pgcdc.snapshot;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.snapshot.TableShape;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
 *   <li>{@link ChunkStrategy#CTID}: ranges of heap blocks, sized from the table's rows per page.</li>
 * </ul>
 * {@link ChunkStrategy#AUTO} takes the integer range when the key is a single {@code int2}/{@code int4}/{@code int8}
 * column dense enough (at most twice the chunks the row estimate asks for), keyset for other keys, ctid without
 * one. The first and the last chunk of a table are open-ended, so rows outside the planned bounds are read too.
 * Runs on a connection the caller provides (inside the snapshot's transaction, ideally); not thread-safe.
 */
public final class ChunkPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkPlanner.class);
    private static final Set<String> INTEGER_TYPES = Set.of("int2", "int4", "int8");
    /** Rows per heap page assumed for a table never analyzed. */
    private static final double DEFAULT_ROWS_PER_PAGE = 50;

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

    /** The strategy {@code requested} resolves to for this table. */
    ChunkStrategy choose(Connection connection, TableShape shape, ChunkStrategy requested) throws SQLException {
        boolean singleInteger = shape.chunkKey().size() == 1 && INTEGER_TYPES.contains(keyType(shape));
        switch (requested) {
            case INTEGER_RANGE -> {
                if (!singleInteger) {
                    throw new ConfigurationException("snapshot strategy integer-range needs a single int2, int4 or int8 key; " + shape.table()
                            + " has key " + (shape.chunkKey().isEmpty() ? "none" : shape.chunkKey()) + "; use keyset, ctid or auto");
                }
                return requested;
            }
            case KEYSET -> {
                if (shape.chunkKey().isEmpty()) {
                    throw new ConfigurationException("snapshot strategy keyset needs a primary key (or replica identity index); " + shape.table()
                            + " has none; use ctid or auto");
                }
                return requested;
            }
            case CTID -> {
                return requested;
            }
            default -> {
                if (shape.chunkKey().isEmpty()) {
                    return ChunkStrategy.CTID;
                }
                return singleInteger && dense(connection, shape) ? ChunkStrategy.INTEGER_RANGE : ChunkStrategy.KEYSET;
            }
        }
    }

    private static String keyType(TableShape shape) {
        Column key = shape.columns().get(shape.indexOf(shape.chunkKey().get(0)));
        return key.typeName();
    }

    /** Whether integer ranges over min..max make at most twice the chunks the row estimate needs (plus a few). */
    private boolean dense(Connection connection, TableShape shape) throws SQLException {
        BigInteger[] bounds = minMax(connection, shape);
        if (bounds == null) {
            return true;
        }
        BigInteger span = bounds[1].subtract(bounds[0]).add(BigInteger.ONE);
        double rows = Math.max(estimatedRows(connection, shape), 0);
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

    private List<ChunkRange> blockRanges(Connection connection, TableShape shape) throws SQLException {
        long blocks;
        double rowsPerPage;
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_catalog.pg_relation_size(c.oid) "
                + "/ current_setting('block_size')::bigint, c.reltuples, c.relpages FROM pg_catalog.pg_class c "
                + "WHERE c.oid = pg_catalog.to_regclass(?)")) {
            statement.setString(1, shape.table().quoted());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new ConfigurationException("table " + shape.table() + " does not exist; check snapshot.tables");
                }
                blocks = row.getLong(1);
                double tuples = row.getDouble(2);
                long pages = row.getLong(3);
                rowsPerPage = tuples > 0 && pages > 0 ? tuples / pages : DEFAULT_ROWS_PER_PAGE;
            }
        }
        long blocksPerChunk = Math.max(1, (long) Math.floor(chunkSize / rowsPerPage));
        List<ChunkRange> ranges = new ArrayList<>();
        long from = 0;
        while (from + blocksPerChunk < blocks) {
            ranges.add(new ChunkRange.BlockRange(from, from + blocksPerChunk));
            from += blocksPerChunk;
        }
        ranges.add(new ChunkRange.BlockRange(from, ChunkSql.END_OF_BLOCKS));
        return ranges;
    }

    private static double estimatedRows(Connection connection, TableShape shape) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT reltuples FROM pg_catalog.pg_class WHERE oid = pg_catalog.to_regclass(?)")) {
            statement.setString(1, shape.table().quoted());
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? row.getDouble(1) : 0;
            }
        }
    }
}
