package dev.pgcdc.postgres.pgoutput;

import java.util.List;

/**
 * The primary key of a table, by its relation id (the table's OID, as Relation messages carry it).
 * Events of a table whose replica identity is FULL or NOTHING are keyed by it: pgoutput then marks
 * every column, or none, as the identity, and neither is what a consumer means by the row's key.
 */
@FunctionalInterface
public interface PrimaryKeys {

    /** Knows no primary key: events are keyed by the replica identity columns pgoutput marks. */
    PrimaryKeys NONE = relationId -> List.of();

    /**
     * The primary key's column names in key order; empty when the table has none.
     *
     * @throws dev.pgcdc.api.SourceException when the catalog cannot be read
     */
    List<String> of(int relationId);
}
