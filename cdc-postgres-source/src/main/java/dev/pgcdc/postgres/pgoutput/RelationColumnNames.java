package dev.pgcdc.postgres.pgoutput;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.postgres.connection.CatalogConnection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Runs a catalog query of one relation OID that returns column names, for the per-Relation-message lookups. */
final class RelationColumnNames {

    private RelationColumnNames() {
    }

    /**
     * The names {@code query} returns for {@code relationId} (its one parameter), in its order.
     *
     * @param what what is looked up, for the error message: "the primary key", "the NOT NULL columns"
     * @param from the catalog it is read from, for the error message
     * @throws SourceException when the catalog cannot be read
     */
    static List<String> of(CatalogConnection connection, String query, int relationId, String what, String from) {
        try {
            return connection.run(c -> {
                try (PreparedStatement statement = c.prepareStatement(query)) {
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
            throw new SourceException("cannot look up " + what + " of relation OID " + Integer.toUnsignedString(relationId)
                    + " in " + from + ": " + e.getMessage(), e);
        }
    }
}
