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
 * table outside the publication is a configuration error ({@code snapshot_only} allows any table). The tables
 * are named as the publication lists them, which is how the stream names their changes: a partitioned table
 * by its root with {@code publish_via_partition_root}, by its leaf partitions without.
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
     * or all of the publication's when {@code configured} is empty. A configured partitioned table the
     * publication lists by its leaf partitions (no {@code publish_via_partition_root}: the stream names the
     * partitions) stands for those partitions, so snapshot events carry the names streamed events do.
     *
     * @throws ConfigurationException naming every configured table the publication does not have
     */
    public static List<TableId> forInitial(DatabaseConnections connections, String publication, List<TableId> configured) {
        List<TableId> published = of(connections, publication);
        if (configured.isEmpty()) {
            return published;
        }
        Set<TableId> publishedSet = Set.copyOf(published);
        List<TableId> tables = new ArrayList<>();
        Set<TableId> outside = new LinkedHashSet<>();
        for (TableId table : configured) {
            if (publishedSet.contains(table)) {
                tables.add(table);
                continue;
            }
            List<TableId> partitions = publishedPartitions(connections, publication, table);
            if (partitions.isEmpty()) {
                outside.add(table);
            }
            tables.addAll(partitions);
        }
        if (!outside.isEmpty()) {
            throw new ConfigurationException("snapshot.tables names " + outside + ", not in publication \"" + publication + "\" (it has "
                    + published + "); with snapshot.mode = initial the snapshot covers published tables only, whose changes the stream "
                    + "carries afterwards; use snapshot.mode = snapshot_only for other tables");
        }
        return List.copyOf(new LinkedHashSet<>(tables));
    }

    /** The partitions of {@code table} the publication lists (empty when it is not partitioned or they are not published). */
    private static List<TableId> publishedPartitions(DatabaseConnections connections, String publication, TableId table) {
        try (Connection connection = connections.open(); PreparedStatement statement = connection.prepareStatement(
                "SELECT p.schemaname, p.tablename FROM pg_catalog.pg_partition_tree(pg_catalog.to_regclass(?)) t "
                        + "JOIN pg_catalog.pg_class c ON c.oid = t.relid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                        + "JOIN pg_catalog.pg_publication_tables p ON p.schemaname = n.nspname AND p.tablename = c.relname "
                        + "WHERE t.level > 0 AND p.pubname = ? ORDER BY 1, 2")) {
            statement.setString(1, table.quoted());
            statement.setString(2, publication);
            try (ResultSet rows = statement.executeQuery()) {
                List<TableId> partitions = new ArrayList<>();
                while (rows.next()) {
                    partitions.add(new TableId(rows.getString(1), rows.getString(2)));
                }
                return partitions;
            }
        } catch (SQLException e) {
            throw new SourceException("cannot read the partitions of " + table + " in publication \"" + publication + "\" on "
                    + connections.description() + ": " + e.getMessage(), e);
        }
    }
}
