package dev.pgcdc.api.event;

import java.util.Objects;

/**
 * A column of a captured table as the source describes it.
 *
 * @param name         column name
 * @param typeOid      PostgreSQL type OID (of the column's type; for a domain, of the domain)
 * @param typeName     type name, e.g. {@code int4}, {@code _text}, {@code my_enum}
 * @param typeModifier atttypmod, -1 when none
 * @param key          whether the column is part of the table's replica identity (its key)
 * @param facts        what the source's catalog says of it (nullability, a domain's base, an enum's labels);
 *                     {@link ColumnFacts#UNKNOWN} when not looked up
 */
public record Column(String name, int typeOid, String typeName, int typeModifier, boolean key, ColumnFacts facts) {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(typeName, "typeName");
        Objects.requireNonNull(facts, "facts");
    }

    /** A column whose catalog facts are not known. */
    public Column(String name, int typeOid, String typeName, int typeModifier, boolean key) {
        this(name, typeOid, typeName, typeModifier, key, ColumnFacts.UNKNOWN);
    }
}
