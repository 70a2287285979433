package dev.pgcdc.api.event;

import java.util.List;
import java.util.Objects;

/**
 * What the source's catalog says of a column beyond what its change stream carries: whether it may
 * hold nulls, a domain's base type, an enum's labels. Looked up once per relation version (a Relation
 * message, a snapshot's table description), never per event; immutable, safe to share between threads.
 *
 * @param nullability      whether the column is declared {@code NOT NULL} (its own or its domain's), or unknown
 * @param baseTypeName     a domain column: the type name of the domain's base type (resolved through domains
 *                         over domains, e.g. {@code numeric}, {@code _int4}); null for other columns
 * @param baseTypeModifier a domain column: the modifier the domain declares for its base type ({@code typtypmod}), else -1
 * @param enumLabels       an enum column (or an array of an enum, for its elements): the labels in their sort order
 *                         ({@code pg_enum.enumsortorder}); empty for other columns
 */
public record ColumnFacts(Nullability nullability, String baseTypeName, int baseTypeModifier, List<String> enumLabels) {

    /** Nothing known: a source without a catalog, or a column built by code that does not look it up. */
    public static final ColumnFacts UNKNOWN = new ColumnFacts(Nullability.UNKNOWN, null, -1, List.of());

    /** Whether a column may hold nulls, as its declaration says. */
    public enum Nullability {
        /** Not looked up. */
        UNKNOWN,
        /** The column accepts nulls. */
        NULLABLE,
        /** {@code NOT NULL} (the column's {@code attnotnull}, or a domain declared {@code NOT NULL}). */
        NOT_NULL
    }

    public ColumnFacts {
        Objects.requireNonNull(nullability, "nullability");
        enumLabels = List.copyOf(enumLabels);
    }

    /** These facts with {@code nullability}. */
    public ColumnFacts withNullability(Nullability nullability) {
        return nullability == this.nullability ? this : new ColumnFacts(nullability, baseTypeName, baseTypeModifier, enumLabels);
    }
}
