package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.postgres.connection.CatalogConnection;
import java.util.List;

/** Reads primary keys from {@code pg_index} over the source's catalog connection. Replication thread only. */
public final class JdbcPrimaryKeys implements PrimaryKeys {

    private static final String QUERY = "SELECT a.attname FROM pg_catalog.pg_index i "
            + "JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
            + "WHERE i.indrelid = ?::oid AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)";

    private final CatalogConnection connection;

    public JdbcPrimaryKeys(CatalogConnection connection) {
        this.connection = connection;
    }

    @Override
    public List<String> of(int relationId) {
        return RelationColumnNames.of(connection, QUERY, relationId, "the primary key", "pg_index");
    }
}
