package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableCatalog;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.api.source.DatabaseConnections;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the rows of one range of one table in one REPEATABLE READ, READ ONLY transaction, importing an
 * exported snapshot first ({@code SET TRANSACTION SNAPSHOT}) when given one, through a server-side
 * cursor (never a whole chunk in memory, unless it fits the fetch budget), and hands each row, decoded as the
 * stream decodes it ({@link TableCatalog}: the columns it describes, so a publication's column list is
 * honoured), to a consumer. A block range of a partitioned table is read from its leaf partition, its rows
 * reported as the table's. It knows nothing of jobs or claims, so an
 * incremental snapshot of single tables can use it as well as the chunked initial snapshot.
 *
 * <p>The cursor's first fetch is {@code fetchSize} rows, or fewer when the rows this reader read of the table
 * before were wide enough that {@code fetchSize} of them would pass {@link #FETCH_BYTES}, and only
 * {@link #PROBE_ROWS} of a table it has not read yet (whose width is unknown: 1000 rows of 32 KB would be
 * 32 MB); every later one is sized from the rows read so far to hold about {@link #FETCH_BYTES} (at least
 * one row): a table of small rows is read in a few round trips per chunk instead of one per
 * {@code fetchSize} rows (each round trip waits for the server, which on a busy machine costs more than
 * reading the rows), and one of wide rows holds no more than that budget in the driver's buffers.
 *
 * <p>When a snapshot cannot be imported because its exporting session is gone (a restart, a network
 * failure), it warns once per snapshot id and reads under a fresh snapshot from then on: nothing is
 * lost, rows changed since the export may arrive twice, which consumers applying upserts absorb.
 *
 * <p>The connections must return values in text format, as the source's
 * {@code DatabaseConnections.open()} does. One reader holds one connection, opened on first use and
 * reopened after a failure. Not thread-safe: one reader per thread.
 */
public final class ChunkReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReader.class);
    /** About how much of the driver's memory the rows of one fetch (after the first) take. */
    static final long FETCH_BYTES = 4L << 20;
    /** Rows of the first fetch of a table this reader has not read before. */
    static final int PROBE_ROWS = 32;
    /** Estimated bytes of a fetched row besides its values' text: the driver's array of values. */
    private static final int ROW_OVERHEAD = 24;
    /** Estimated bytes of one value besides its text: its reference and its byte array's header. */
    private static final int VALUE_OVERHEAD = 24;

    /** Receives the rows of a read, on the reading thread; may block (back pressure). */
    @FunctionalInterface
    public interface RowConsumer {
        /**
         * @param bytes the row's estimated size in memory: its values' text plus a fixed overhead per value and per
         *              row (what bounds a fetch, so a consumer holding rows can bound them the same way)
         */
        void accept(TableShape shape, Row row, int bytes) throws InterruptedException;
    }

    /**
     * What a read did.
     *
     * @param rows             rows handed to the consumer
     * @param importedSnapshot whether the rows were read under the requested snapshot (false: none requested, or it was gone)
     */
    public record Result(long rows, boolean importedSnapshot) {
    }

    private final DatabaseConnections connections;
    private final TableCatalog catalog;
    private final int fetchSize;
    private final Map<TableId, TableShape> shapes = new HashMap<>();
    /** The average estimated bytes of a row of each table, as the last read of it found. */
    private final Map<TableId, Long> rowBytes = new HashMap<>();
    private final Set<String> lostSnapshots = new HashSet<>();
    private Connection connection;

    public ChunkReader(DatabaseConnections connections, TableCatalog catalog, int fetchSize) {
        this.connections = connections;
        this.catalog = catalog;
        this.fetchSize = fetchSize;
    }

    /**
     * Reads the rows of {@code table} in {@code range} that satisfy {@code condition}.
     *
     * @param snapshotId the exported snapshot to read under, or empty for a fresh one
     * @throws SQLException when the read failed (the transaction is rolled back, the connection dropped)
     */
    public Result read(TableId table, ChunkRange range, Optional<String> condition, Optional<String> snapshotId, RowConsumer consumer)
            throws SQLException, InterruptedException {
        Connection session = session();
        boolean done = false;
        try {
            TableShape shape = shape(session, table);
            boolean imported = snapshotId.isPresent() && importSnapshot(session, snapshotId.get());
            long rows = readRows(session, shape, range, condition, consumer);
            session.commit();
            done = true;
            return new Result(rows, imported);
        } finally {
            if (!done) {
                discard();
            }
        }
    }

    /** The table's shape as the stream sees it, described once per reader. */
    public TableShape shape(TableId table) throws SQLException {
        Connection session = session();
        try {
            return shape(session, table);
        } catch (SQLException | RuntimeException e) {
            discard();
            throw e;
        }
    }

    private TableShape shape(Connection session, TableId table) throws SQLException {
        TableShape shape = shapes.get(table);
        if (shape == null) {
            shape = catalog.describe(session, table);
            session.commit(); // the next transaction must start with SET TRANSACTION SNAPSHOT
            shapes.put(table, shape);
        }
        return shape;
    }

    /** Whether the exporting session of {@code snapshotId} turned out gone. */
    public boolean isLost(String snapshotId) {
        return lostSnapshots.contains(snapshotId);
    }

    private boolean importSnapshot(Connection session, String snapshotId) throws SQLException {
        if (lostSnapshots.contains(snapshotId)) {
            return false;
        }
        try (Statement statement = session.createStatement()) {
            statement.execute("SET TRANSACTION SNAPSHOT '" + snapshotId.replace("'", "''") + "'");
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw e; // the connection failed, not the import
            }
            session.rollback();
            lostSnapshots.add(snapshotId);
            LOG.warn("cannot import snapshot {} ({}): its exporting session is gone (restart or network failure); the remaining chunks "
                    + "are read under a fresh snapshot, so rows changed since the export may appear twice (consumers applying upserts "
                    + "converge)", snapshotId, e.getMessage());
            return false;
        }
    }

    private long readRows(Connection session, TableShape shape, ChunkRange range, Optional<String> condition, RowConsumer consumer)
            throws SQLException, InterruptedException {
        List<Column> columns = shape.columns();
        ChunkSql.Where where = ChunkSql.where(range, shape.restrict(condition));
        String sql = "SELECT " + ChunkSql.identifiers(columns.stream().map(Column::name).toList()) + " FROM " + ChunkSql.from(shape.table(), range)
                + where.sql();
        long rows = 0;
        long bytes = 0;
        Long knownRowBytes = rowBytes.get(shape.table());
        int firstFetch = Math.min(fetchSize, knownRowBytes == null ? PROBE_ROWS : fetchRows(knownRowBytes, 1));
        try (PreparedStatement statement = session.prepareStatement(sql)) {
            statement.setFetchSize(firstFetch);
            where.bind(statement);
            try (ResultSet result = statement.executeQuery()) {
                int count = columns.size();
                boolean[] bytea = byteaColumns(result.getMetaData(), count);
                long nextResize = firstFetch;
                while (result.next()) {
                    byte[][] texts = new byte[count][];
                    int size = ROW_OVERHEAD;
                    for (int i = 0; i < count; i++) {
                        byte[] text = bytea[i] ? utf8(result.getString(i + 1)) : result.getBytes(i + 1);
                        texts[i] = text;
                        size += text == null ? 8 : VALUE_OVERHEAD + text.length;
                    }
                    bytes += size;
                    consumer.accept(shape, shape.decode(texts), size);
                    rows++;
                    if (rows == nextResize) {
                        int next = fetchRows(bytes, rows);
                        result.setFetchSize(next);
                        nextResize = rows + next;
                    }
                }
            }
        }
        if (rows > 0) {
            rowBytes.put(shape.table(), Math.max(1, bytes / rows));
        }
        return rows;
    }

    /**
     * The columns whose text must be taken with {@code getString}: {@code bytea} (and domains over it, which the
     * server describes by their base type), whose {@code getBytes} is the decoded binary value. Of every other
     * column {@code getBytes} is the text exactly as the server sent it, in UTF-8 (pgjdbc's client encoding),
     * which the decoders take without a String in between.
     */
    private static boolean[] byteaColumns(ResultSetMetaData meta, int count) throws SQLException {
        boolean[] bytea = new boolean[count];
        for (int i = 0; i < count; i++) {
            bytea[i] = meta.getColumnType(i + 1) == Types.BINARY;
        }
        return bytea;
    }

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    /** Rows of the next fetch: about {@link #FETCH_BYTES} at the average size of the {@code rows} read so far, at least 1. */
    static int fetchRows(long bytesRead, long rows) {
        long perRow = Math.max(1, bytesRead / Math.max(1, rows));
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, FETCH_BYTES / perRow));
    }

    private Connection session() throws SQLException {
        if (connection == null) {
            Connection opened = connections.open();
            try {
                opened.setAutoCommit(false);
                opened.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                opened.setReadOnly(true);
            } catch (SQLException e) {
                opened.close();
                throw e;
            }
            connection = opened;
        }
        return connection;
    }

    private void discard() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("closing a failed chunk connection failed", e);
            }
            connection = null;
        }
    }

    /** Forgets the table shapes (after a schema change). */
    public void forgetShapes() {
        shapes.clear();
    }

    @Override
    public void close() {
        discard();
    }
}
