package dev.pgcdc.postgres.types;

import dev.pgcdc.api.event.ColumnFacts;
import java.util.Objects;

/**
 * What a column's type OID resolves to: the name to report, the decoder of its values and what the
 * catalog says of the type (a domain's base, an enum's labels, a domain's {@code NOT NULL}).
 *
 * @param oid     the type OID (of a domain: the domain's)
 * @param name    type name, e.g. {@code int4}, {@code _text}, {@code mood}
 * @param decoder decodes its text values
 * @param facts   the type's facts; their nullability is {@code NOT_NULL} for a domain declared so, else {@code UNKNOWN}
 */
public record ColumnType(int oid, String name, ValueDecoder decoder, ColumnFacts facts) {

    public ColumnType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(facts, "facts");
    }

    /** A type the catalog says nothing more of (built-in, unknown). */
    public ColumnType(int oid, String name, ValueDecoder decoder) {
        this(oid, name, decoder, ColumnFacts.UNKNOWN);
    }

    /**
     * The facts of a column of this type.
     *
     * @param notNull the column's {@code attnotnull}, null when not looked up
     */
    public ColumnFacts factsOfColumn(Boolean notNull) {
        if (notNull == null) {
            return facts;
        }
        boolean required = notNull || facts.nullability() == ColumnFacts.Nullability.NOT_NULL;
        return facts.withNullability(required ? ColumnFacts.Nullability.NOT_NULL : ColumnFacts.Nullability.NULLABLE);
    }
}
