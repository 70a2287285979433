package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.CatalogConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
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
        try {
            return connection.run(c -> {
                try (PreparedStatement statement = c.prepareStatement(QUERY)) {
                    statement.setLong(1, Integer.toUnsignedLong(relationId));
                    try (ResultSet rows = statement.executeQuery()) {
                        List<String> names = new ArrayList<>();
                        while (rows.next()) {
                            names.add(rows.getString(1));
                        }
                        return List.copyOf(names);
                    }
                }
            });
        } catch (SQLException e) {
            throw new SourceException("cannot look up the primary key of relation OID " + Integer.toUnsignedString(relationId)
                    + " in pg_index: " + e.getMessage(), e);
        }
    }
}
