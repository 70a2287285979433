package dev.pgcdc.coordination.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The names of the coordination tables in their schema, each part double-quoted so that any schema
 * name (capitals, spaces, quotes) works. Immutable.
 *
 * @param schema the schema as PostgreSQL spells it, without quotes
 */
record CoordinationTables(String schema) {

    static final String VERSIONS = "schema_version";
    static final String JOBS = "snapshot_job";
    static final String CHUNKS = "snapshot_chunk";
    private static final int MAX_IDENTIFIER_BYTES = 63;

    CoordinationTables {
        Objects.requireNonNull(schema, "schema");
        if (schema.isEmpty() || schema.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("coordination schema name must be non-empty and contain no NUL character, was \"" + schema + "\"");
        }
        if (schema.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
            // PostgreSQL would silently cut it, and then never find the schema under its full name
            throw new IllegalArgumentException("coordination schema name must be at most " + MAX_IDENTIFIER_BYTES
                    + " bytes (PostgreSQL's identifier limit), was \"" + schema + "\"");
        }
    }

    /** {@code identifier} as a quoted SQL identifier: {@code "a ""b"""}. */
    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    String quotedSchema() {
        return quote(schema);
    }

    /** The schema version table, qualified and quoted. */
    String versions() {
        return qualified(VERSIONS);
    }

    /** The job table, qualified and quoted. */
    String jobs() {
        return qualified(JOBS);
    }

    /** The chunk table, qualified and quoted. */
    String chunks() {
        return qualified(CHUNKS);
    }

    String qualified(String table) {
        return quotedSchema() + '.' + quote(table);
    }
}
