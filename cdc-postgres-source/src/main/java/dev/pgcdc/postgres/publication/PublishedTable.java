package dev.pgcdc.postgres.publication;

import dev.pgcdc.api.event.TableId;
import java.util.List;

/**
 * A table the publication must contain, with the replica identity to give it.
 *
 * @param table            schema-qualified name
 * @param identity         {@code d} default, {@code f} full, {@code n} nothing, {@code i} using index (pg_class.relreplident)
 * @param identityIndex    the index for {@code i}, null otherwise
 * @param identitySql      the SQL after {@code REPLICA IDENTITY}
 * @param columns          the column list, empty for all columns
 */
public record PublishedTable(TableId table, char identity, String identityIndex, String identitySql, List<String> columns) {

    public PublishedTable {
        columns = List.copyOf(columns);
    }
}
