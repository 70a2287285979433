package dev.pgcdc.coordination.snapshot;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link Chunk} is stored in the chunk table: the table as schema and name, a key range as
 * three {@code text[]} columns (key columns, lower and upper key values as text), a block range as
 * two {@code bigint} columns (and the leaf partition whose heap they are of, when not the table's own, as
 * schema and name), and {@code range_kind} saying which. Arrays keep any text intact
 * (commas, quotes, braces), so no serialisation format of our own is needed. Stateless.
 */
final class ChunkColumns {

    /** The columns {@link #read} expects, in a select list or a {@code RETURNING} clause. */
    static final String SELECTED = "job_id, chunk_id, table_schema, table_name, range_kind, key_columns, lower_key, upper_key,"
            + " from_block, to_block, partition_schema, partition_name";

    /** The columns {@link #bind} fills, in order, for an insert. */
    static final String INSERTED = SELECTED;

    /** Placeholders for {@link #INSERTED}. */
    static final String PLACEHOLDERS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

    private static final String KEY = "key";
    private static final String BLOCK = "block";

    private ChunkColumns() {
    }

    /** Sets parameters 1 to 12 of {@code statement} to the chunk's columns, as {@link #INSERTED} lists them. */
    static void bind(Connection connection, PreparedStatement statement, Chunk chunk) throws SQLException {
        statement.setString(1, chunk.jobId());
        statement.setLong(2, chunk.chunkId());
        statement.setString(3, chunk.table().schema());
        statement.setString(4, chunk.table().name());
        if (chunk.range() instanceof ChunkRange.KeyRange key) {
            statement.setString(5, KEY);
            statement.setArray(6, textArray(connection, key.keyColumns()));
            statement.setArray(7, textArray(connection, key.lower()));
            statement.setArray(8, textArray(connection, key.upper()));
            statement.setNull(9, Types.BIGINT);
            statement.setNull(10, Types.BIGINT);
            statement.setNull(11, Types.VARCHAR);
            statement.setNull(12, Types.VARCHAR);
        } else {
            ChunkRange.BlockRange block = (ChunkRange.BlockRange) chunk.range();
            statement.setString(5, BLOCK);
            statement.setNull(6, Types.ARRAY);
            statement.setNull(7, Types.ARRAY);
            statement.setNull(8, Types.ARRAY);
            statement.setLong(9, block.fromBlock());
            statement.setLong(10, block.toBlock());
            statement.setString(11, block.partition().map(TableId::schema).orElse(null));
            statement.setString(12, block.partition().map(TableId::name).orElse(null));
        }
    }

    /** The chunk of the current row, whose first columns are {@link #SELECTED}. */
    static Chunk read(ResultSet row) throws SQLException {
        TableId table = new TableId(row.getString("table_schema"), row.getString("table_name"));
        String kind = row.getString("range_kind");
        ChunkRange range = switch (kind) {
            case KEY -> new ChunkRange.KeyRange(texts(row.getArray("key_columns")), texts(row.getArray("lower_key")),
                    texts(row.getArray("upper_key")));
            case BLOCK -> new ChunkRange.BlockRange(row.getLong("from_block"), row.getLong("to_block"), partition(row));
            default -> throw new ClaimStoreException("chunk " + row.getLong("chunk_id") + " of snapshot job \"" + row.getString("job_id")
                    + "\" has an unknown range kind \"" + kind + "\"");
        };
        return new Chunk(row.getString("job_id"), row.getLong("chunk_id"), table, range);
    }

    private static Optional<TableId> partition(ResultSet row) throws SQLException {
        String name = row.getString("partition_name");
        return name == null ? Optional.empty() : Optional.of(new TableId(row.getString("partition_schema"), name));
    }

    private static Array textArray(Connection connection, List<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray(new String[0]));
    }

    private static List<String> texts(Array array) throws SQLException {
        try {
            return Arrays.asList((String[]) array.getArray());
        } finally {
            array.free();
        }
    }
}
