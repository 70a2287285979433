package dev.pgcdc.postgres.snapshot;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableCatalog;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.postgres.types.ColumnType;
import dev.pgcdc.postgres.types.JdbcTypeCatalog;
import dev.pgcdc.postgres.types.TypeRegistry;
import dev.pgcdc.postgres.types.ValueDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The source's {@link TableCatalog}: describes a table as pgoutput does (the columns it sends, in
 * order: not dropped, not generated; a column is marked key when it is part of the replica identity:
 * every column under FULL, the primary key under DEFAULT, the identity index under USING INDEX) and
 * decodes text values with the stream's own decoders ({@link TypeRegistry}), so snapshot rows and
 * streamed rows of the same data are equal. The event key follows the stream too: the marked columns,
 * or the primary key of a FULL or NOTHING identity table.
 *
 * <p>Made for a publication, it describes a table the publication carries with the publication's column
 * list (PostgreSQL 15 and newer, {@code pg_publication_tables.attnames}): pgoutput sends only those columns,
 * so the snapshot reads only those; and with its row filter ({@code pg_publication_tables.rowfilter}), which
 * the snapshot's reads apply as the stream's would ({@link TableShape#rowFilter}). A table outside the
 * publication, a publication without a column list for it, and PostgreSQL 14 (no column lists) give every
 * column and row. Thread-safe: every call builds its own
 * type registry over the connection it is given.
 */
public final class PgTableCatalog implements TableCatalog {

    private static final String COLUMNS = "SELECT a.attname, a.atttypid, a.atttypmod, CASE c.relreplident "
            + "WHEN 'f' THEN true "
            + "WHEN 'd' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)) "
            + "WHEN 'i' THEN EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident AND a.attnum = ANY (i.indkey)) "
            + "ELSE false END, c.relreplident, a.attnotnull "
            + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
            + "WHERE c.oid = pg_catalog.to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum";
    private static final String INDEX_COLUMNS = "SELECT a.attname FROM pg_catalog.pg_index i "
            + "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
            + "WHERE i.indrelid = pg_catalog.to_regclass(?) AND %s ORDER BY array_position(i.indkey::int2[], a.attnum)";

    private static final String PUBLISHED = "SELECT attnames::text[], rowfilter FROM pg_catalog.pg_publication_tables "
            + "WHERE pubname = ? AND schemaname = ? AND tablename = ?";

    private final Optional<String> publication;

    /** Describes every column of a table: for snapshots of tables no publication restricts. */
    public PgTableCatalog() {
        this.publication = Optional.empty();
    }

    /** Describes a table with the columns {@code publication} publishes of it (all when it has no column list for it). */
    public PgTableCatalog(String publication) {
        this.publication = Optional.of(publication);
    }

    @Override
    public TableShape describe(Connection connection, TableId table) {
        try {
            Published published = published(connection, table);
            TypeRegistry types = new TypeRegistry(oid -> {
                try {
                    return JdbcTypeCatalog.query(connection, oid);
                } catch (SQLException e) {
                    throw new SourceException("cannot look up type OID " + Integer.toUnsignedString(oid) + " of " + table + " in pg_type: "
                            + e.getMessage(), e);
                }
            });
            List<Column> columns = new ArrayList<>();
            List<ValueDecoder> decoders = new ArrayList<>();
            List<String> marked = new ArrayList<>();
            char identity = 'd';
            try (PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
                statement.setString(1, table.quoted());
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        String name = rows.getString(1);
                        identity = rows.getString(5).charAt(0);
                        if (published.columns() != null && !published.columns().contains(name)) {
                            continue;
                        }
                        int typeOid = (int) rows.getLong(2);
                        boolean key = rows.getBoolean(4);
                        ColumnType type = types.resolve(typeOid);
                        columns.add(new Column(name, typeOid, type.name(), rows.getInt(3), key, type.factsOfColumn(rows.getBoolean(6))));
                        decoders.add(type.decoder());
                        if (key) {
                            marked.add(name);
                        }
                    }
                }
            }
            if (columns.isEmpty()) {
                throw new SourceException("table " + table + " does not exist (or has no columns) in the snapshot's database; check snapshot.tables");
            }
            List<String> primaryKey = indexColumns(connection, table, "i.indisprimary");
            List<String> names = columns.stream().map(Column::name).toList();
            boolean primaryKeyIsEventKey = (identity == 'f' || identity == 'n') && !primaryKey.isEmpty() && names.containsAll(primaryKey);
            List<String> eventKey = primaryKeyIsEventKey ? primaryKey : marked;
            List<String> chunkKey = !primaryKey.isEmpty() ? primaryKey
                    : identity == 'i' ? indexColumns(connection, table, "i.indisreplident") : List.of();
            ValueDecoder[] byColumn = decoders.toArray(new ValueDecoder[0]);
            return new TableShape(table, columns, eventKey, chunkKey, new ColumnDecoders(byColumn), published.rowFilter());
        } catch (SQLException e) {
            throw new SourceException("cannot read the columns of " + table + " from the catalog: " + e.getMessage(), e);
        }
    }

    /**
     * What the publication sends of a table: its column list (null: every column) and its row filter (null:
     * every row). Both null when no publication is configured, the table is not in it, or PostgreSQL is 14.
     */
    private record Published(Set<String> columns, String rowFilter) {
    }

    private Published published(Connection connection, TableId table) throws SQLException {
        if (publication.isEmpty() || connection.getMetaData().getDatabaseMajorVersion() < 15) {
            return new Published(null, null);
        }
        try (PreparedStatement statement = connection.prepareStatement(PUBLISHED)) {
            statement.setString(1, publication.get());
            statement.setString(2, table.schema());
            statement.setString(3, table.name());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return new Published(null, null);
                }
                Array names = row.getArray(1);
                return new Published(names == null ? null : Set.of((String[]) names.getArray()), row.getString(2));
            }
        }
    }

    private static List<String> indexColumns(Connection connection, TableId table, String condition) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(String.format(INDEX_COLUMNS, condition))) {
            statement.setString(1, table.quoted());
            try (ResultSet rows = statement.executeQuery()) {
                List<String> names = new ArrayList<>();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
                return List.copyOf(names);
            }
        }
    }

    /** A table's columns' stream decoders, by column index; they take the text as UTF-8 bytes either way. */
    private static final class ColumnDecoders implements TableShape.ValueDecoder {
        private final ValueDecoder[] byColumn;

        ColumnDecoders(ValueDecoder[] byColumn) {
            this.byColumn = byColumn;
        }

        @Override
        public Object decode(int column, String text) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return byColumn[column].decode(bytes, 0, bytes.length);
        }

        @Override
        public Object decode(int column, byte[] text) {
            return byColumn[column].decode(text, 0, text.length);
        }
    }
}
