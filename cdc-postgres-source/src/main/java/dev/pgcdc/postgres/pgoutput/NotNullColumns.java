package dev.pgcdc.postgres.pgoutput;

import java.util.Set;

/**
 * The {@code NOT NULL} columns of a table, by its relation id (the table's OID, as Relation messages
 * carry it). pgoutput does not say a column's nullability; it is looked up once per Relation message
 * of a captured table, never per event, and lets the sinks write schemas that mark such columns required.
 */
@FunctionalInterface
public interface NotNullColumns {

    /** Knows nothing: every column's nullability stays unknown. */
    NotNullColumns UNKNOWN = relationId -> null;

    /**
     * The names of the columns declared {@code NOT NULL} ({@code pg_attribute.attnotnull}); null when unknown.
     *
     * @throws dev.pgcdc.api.SourceException when the catalog cannot be read
     */
    Set<String> of(int relationId);
}
