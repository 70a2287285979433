package dev.pgcdc.postgres.types;

/**
 * A row of {@code pg_type}, the little of it decoding needs.
 *
 * @param oid         the type
 * @param name        typname
 * @param typtype     b base, c composite, d domain, e enum, p pseudo, r range, m multirange
 * @param category    typcategory, {@code A} for arrays
 * @param elementOid  typelem (arrays), 0 otherwise
 * @param baseTypeOid typbasetype (domains), 0 otherwise
 * @param delimiter   typdelim of the element type, for array text
 */
public record CatalogType(int oid, String name, char typtype, char category, int elementOid, int baseTypeOid, char delimiter) {
}
