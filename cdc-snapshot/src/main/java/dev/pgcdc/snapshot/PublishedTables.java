package dev.pgcdc.snapshot;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The tables of mode {@code initial}: those of the publication ({@code snapshot.tables} unset), or a subset
 * of them. A snapshot of a table the stream does not carry would never be followed by its changes, so a
 * table outside the publication is a configuration error ({@code snapshot_only} allows any table).
 */
public final class PublishedTables {

    private PublishedTables() {
    }

    /** The publication's tables ({@code pg_publication_tables}), in name order. */
    public static List<TableId> of(DatabaseConnections connections, String publication) {
        try (Connection connection = connections.open(); PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_catalog.pg_publication_tables WHERE pubname = ? ORDER BY schemaname, tablename")) {
            statement.setString(1, publication);
            try (ResultSet rows = statement.executeQuery()) {
                List<TableId> tables = new ArrayList<>();
                while (rows.next()) {
                    tables.add(new TableId(rows.getString(1), rows.getString(2)));
                }
                return List.copyOf(tables);
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the tables of publication \"" + publication + "\" on " + connections.description() + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The tables to snapshot in mode {@code initial}: {@code configured}, each checked to be in the publication,
     * or all of the publication's when {@code configured} is empty.
     *
     * @throws ConfigurationException naming every configured table the publication does not have
     */
    public static List<TableId> forInitial(DatabaseConnections connections, String publication, List<TableId> configured) {
        List<TableId> published = of(connections, publication);
        if (configured.isEmpty()) {
            return published;
        }
        Set<TableId> outside = new LinkedHashSet<>(configured);
        published.forEach(outside::remove);
        if (!outside.isEmpty()) {
            throw new ConfigurationException("snapshot.tables names " + outside + ", not in publication \"" + publication + "\" (it has "
                    + published + "); with snapshot.mode = initial the snapshot covers published tables only, whose changes the stream "
                    + "carries afterwards; use snapshot.mode = snapshot_only for other tables");
        }
        return List.copyOf(configured);
    }
}
