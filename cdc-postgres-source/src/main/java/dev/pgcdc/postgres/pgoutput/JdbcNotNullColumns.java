package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.postgres.connection.CatalogConnection;
import java.util.Set;

/**
 * Reads {@code pg_attribute.attnotnull} over the source's catalog connection. It reads the catalog as
 * it is now, which is the Relation message's shape unless the table was altered since. Replication thread only.
 */
public final class JdbcNotNullColumns implements NotNullColumns {

    private static final String QUERY = "SELECT a.attname FROM pg_catalog.pg_attribute a "
            + "WHERE a.attrelid = ?::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull";

    private final CatalogConnection connection;

    public JdbcNotNullColumns(CatalogConnection connection) {
        this.connection = connection;
    }

    @Override
    public Set<String> of(int relationId) {
        return Set.copyOf(RelationColumnNames.of(connection, QUERY, relationId, "the NOT NULL columns", "pg_attribute"));
    }
}
