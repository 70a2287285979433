package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.event.TableId;
import java.util.List;

/**
 * A table the publication must contain, with the replica identity to give it when one is configured.
 *
 * @param table    schema-qualified name
 * @param identity the configured replica identity; null when none is configured, and then the
 *                 table's identity is left as it is
 * @param columns  the column list, empty for all columns
 */
public record PublishedTable(TableId table, Identity identity, List<String> columns) {

    public PublishedTable {
        columns = List.copyOf(columns);
    }

    /**
     * A replica identity to apply.
     *
     * @param kind  {@code d} default, {@code f} full, {@code n} nothing, {@code i} using index (as pg_class.relreplident)
     * @param index the index for {@code i}, null otherwise
     * @param sql   the SQL after {@code REPLICA IDENTITY}
     */
    public record Identity(char kind, String index, String sql) {
    }
}
