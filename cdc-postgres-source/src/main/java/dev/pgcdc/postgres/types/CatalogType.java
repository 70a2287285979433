package dev.pgcdc.postgres.types;

import java.util.List;

/**
 * A row of {@code pg_type}, the little of it decoding and the column facts need.
 *
 * @param oid          the type
 * @param name         typname
 * @param typtype      b base, c composite, d domain, e enum, p pseudo, r range, m multirange
 * @param category     typcategory, {@code A} for arrays
 * @param elementOid   typelem (arrays), 0 otherwise
 * @param baseTypeOid  typbasetype (domains), 0 otherwise
 * @param delimiter    typdelim of the element type, for array text
 * @param typeModifier typtypmod (domains: the modifier of the base type, e.g. numeric(10,2)), -1 otherwise
 * @param notNull      typnotnull (domains declared {@code NOT NULL})
 * @param enumLabels   enums: the labels ordered by {@code enumsortorder}; empty otherwise
 */
public record CatalogType(int oid, String name, char typtype, char category, int elementOid, int baseTypeOid, char delimiter,
                          int typeModifier, boolean notNull, List<String> enumLabels) {

    public CatalogType {
        enumLabels = List.copyOf(enumLabels);
    }

    /** A type without a domain modifier, {@code NOT NULL} or enum labels. */
    public CatalogType(int oid, String name, char typtype, char category, int elementOid, int baseTypeOid, char delimiter) {
        this(oid, name, typtype, category, elementOid, baseTypeOid, delimiter, -1, false, List.of());
    }
}
