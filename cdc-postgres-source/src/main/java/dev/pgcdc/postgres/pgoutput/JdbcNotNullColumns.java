package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.CatalogConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
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
        try {
            return connection.run(c -> {
                try (PreparedStatement statement = c.prepareStatement(QUERY)) {
                    statement.setLong(1, Integer.toUnsignedLong(relationId));
                    try (ResultSet rows = statement.executeQuery()) {
                        Set<String> names = new HashSet<>();
                        while (rows.next()) {
                            names.add(rows.getString(1));
                        }
                        return Set.copyOf(names);
                    }
                }
            });
        } catch (SQLException e) {
            throw new SourceException("cannot look up the NOT NULL columns of relation OID " + Integer.toUnsignedString(relationId)
                    + " in pg_attribute: " + e.getMessage(), e);
        }
    }
}
