package dev.pgcdc.postgres.types;

/** Looks types up in {@code pg_type}, for OIDs that are not built in (enums, domains, arrays of them, extensions). */
@FunctionalInterface
public interface TypeCatalog {

    /** A catalog that knows no type: everything not built in decodes as text. */
    TypeCatalog NONE = oid -> null;

    /**
     * The type, or null when there is no such OID.
     *
     * @throws dev.pgcdc.api.SourceException when the catalog cannot be read
     */
    CatalogType lookup(int oid);
}
