package dev.pgcdc.postgres.types;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.CatalogConnection;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Reads {@code pg_type} (and an enum's labels from {@code pg_enum}) over a regular (non-replication) connection. */
public final class JdbcTypeCatalog implements TypeCatalog {

    private static final String QUERY = "SELECT t.typname, t.typtype, t.typcategory, t.typelem, t.typbasetype, "
            + "COALESCE(e.typdelim, t.typdelim), t.typtypmod, t.typnotnull, "
            + "CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT l.enumlabel::text FROM pg_catalog.pg_enum l "
            + "WHERE l.enumtypid = t.oid ORDER BY l.enumsortorder) END FROM pg_catalog.pg_type t "
            + "LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem WHERE t.oid = ?::oid";

    private final CatalogConnection connection;

    public JdbcTypeCatalog(CatalogConnection connection) {
        this.connection = connection;
    }

    @Override
    public CatalogType lookup(int oid) {
        try {
            return connection.run(c -> query(c, oid));
        } catch (SQLException e) {
            throw new SourceException("cannot look up type OID " + Integer.toUnsignedString(oid) + " in pg_type: " + e.getMessage(), e);
        }
    }

    /** The {@code pg_type} row of {@code oid} read over {@code connection}, or null; for look-ups outside the replication thread. */
    public static CatalogType query(Connection connection, int oid) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(QUERY)) {
            statement.setLong(1, Integer.toUnsignedLong(oid));
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                return new CatalogType(oid, rows.getString(1), firstChar(rows.getString(2)), firstChar(rows.getString(3)),
                        (int) rows.getLong(4), (int) rows.getLong(5), firstChar(rows.getString(6)), rows.getInt(7), rows.getBoolean(8),
                        labels(rows.getArray(9)));
            }
        }
    }

    private static List<String> labels(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        try {
            return List.of((String[]) array.getArray());
        } finally {
            array.free();
        }
    }

    private static char firstChar(String text) {
        return text == null || text.isEmpty() ? ' ' : text.charAt(0);
    }
}
