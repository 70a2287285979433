package dev.pgcdc.postgres.types;

import java.util.Objects;

/**
 * What a column's type OID resolves to: the name to report and the decoder of its values.
 *
 * @param oid     the type OID (of a domain: the domain's)
 * @param name    type name, e.g. {@code int4}, {@code _text}, {@code mood}
 * @param decoder decodes its text values
 */
public record ColumnType(int oid, String name, ValueDecoder decoder) {

    public ColumnType {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(decoder, "decoder");
    }
}
