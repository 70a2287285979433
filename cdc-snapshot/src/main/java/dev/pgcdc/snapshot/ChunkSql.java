package dev.pgcdc.snapshot;

import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.TableId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of chunk reads and planning: every identifier double-quoted, key bounds bound as parameters of
 * unspecified type (the server gives them the key column's type, so a bound read back as text compares
 * exactly as the value it came from), block numbers as {@code tid} literals.
 */
final class ChunkSql {

    /** One past the largest heap block number: a {@link ChunkRange.BlockRange} ending here has no upper bound. */
    static final long END_OF_BLOCKS = 1L << 32;

    private ChunkSql() {
    }

    /** {@code "name"}, inner double quotes doubled. */
    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "a", "b"}. */
    static String identifiers(List<String> names) {
        StringBuilder sql = new StringBuilder();
        for (String name : names) {
            if (!sql.isEmpty()) {
                sql.append(", ");
            }
            sql.append(identifier(name));
        }
        return sql.toString();
    }

    /**
     * The relation the rows of {@code range} are read from: the leaf partition of a block range of a
     * partitioned table (ctids are per partition), else {@code table}.
     */
    static String from(TableId table, ChunkRange range) {
        if (range instanceof ChunkRange.BlockRange blocks && blocks.partition().isPresent()) {
            return blocks.partition().get().quoted();
        }
        return table.quoted();
    }

    /** A WHERE clause (possibly empty) and the key bounds to bind, in order. */
    record Where(String sql, List<String> parameters) {

        void bind(PreparedStatement statement) throws SQLException {
            for (int i = 0; i < parameters.size(); i++) {
                statement.setObject(i + 1, parameters.get(i), Types.OTHER);
            }
        }
    }

    /** The rows of {@code range}, restricted by {@code condition}. */
    static Where where(ChunkRange range, Optional<String> condition) {
        List<String> clauses = new ArrayList<>();
        List<String> parameters = new ArrayList<>();
        if (range instanceof ChunkRange.KeyRange keys) {
            if (!keys.lower().isEmpty()) {
                clauses.add(tuple(keys.keyColumns()) + " > " + placeholders(keys.lower().size()));
                parameters.addAll(keys.lower());
            }
            if (!keys.upper().isEmpty()) {
                clauses.add(tuple(keys.keyColumns()) + " <= " + placeholders(keys.upper().size()));
                parameters.addAll(keys.upper());
            }
        } else if (range instanceof ChunkRange.BlockRange blocks) {
            if (blocks.fromBlock() > 0) {
                clauses.add("ctid >= '(" + blocks.fromBlock() + ",0)'::tid");
            }
            if (blocks.toBlock() < END_OF_BLOCKS) {
                clauses.add("ctid < '(" + blocks.toBlock() + ",0)'::tid");
            }
        }
        condition.ifPresent(text -> clauses.add("(" + text + ")"));
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), List.copyOf(parameters));
    }

    private static String tuple(List<String> columns) {
        return columns.size() == 1 ? identifier(columns.get(0)) : "(" + identifiers(columns) + ")";
    }

    private static String placeholders(int count) {
        return count == 1 ? "?" : "(" + String.join(", ", java.util.Collections.nCopies(count, "?")) + ")";
    }
}
