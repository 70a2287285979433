package dev.pgcdc.postgres.connection;

import dev.pgcdc.api.event.TableId;

/** Quoting for SQL built from configured names: every identifier is double-quoted, every literal single-quoted. */
public final class Sql {

    private Sql() {
    }

    /** {@code "name"}, inner double quotes doubled: {@code Order Items} and {@code select} are safe. */
    public static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."name"}. */
    public static String table(TableId table) {
        return identifier(table.schema()) + '.' + identifier(table.name());
    }

    /** {@code 'text'}, inner single quotes doubled (standard_conforming_strings is on in every supported version). */
    public static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }
}
