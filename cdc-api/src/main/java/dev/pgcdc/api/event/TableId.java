package dev.pgcdc.api.event;

import java.util.Objects;

/**
 * A table's schema-qualified name, as PostgreSQL spells it (case kept, no quotes).
 *
 * @param schema the schema, e.g. {@code public}
 * @param name   the table name, e.g. {@code Order Items}
 */
public record TableId(String schema, String name) {

    public TableId {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
        if (schema.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("table id needs a non-empty schema and name, was \"" + schema + "\".\"" + name + "\"");
        }
    }

    /**
     * Parses {@code schema.name} or {@code name} (schema {@code public}); double quotes protect dots
     * and keep case, as in SQL: {@code "My Schema"."a.b"}. Unquoted parts are taken as written.
     */
    public static TableId parse(String text) {
        Objects.requireNonNull(text, "table name");
        java.util.List<String> parts = new java.util.ArrayList<>(2);
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    current.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    current.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '.') {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        if (quoted || parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("not a table name: \"" + text + "\" (expected name or schema.name)");
        }
        return parts.size() == 1 ? new TableId("public", parts.get(0)) : new TableId(parts.get(0), parts.get(1));
    }

    /**
     * Written out rather than generated: the record's own {@code equals} and {@code hashCode} go
     * through method handles, which only the C2 compiler inlines; with the launcher's C1 (see
     * docs/benchmarks.md, "Memory: the launcher's JVM") they cost 2.7% of the CPU of a 3M-row run,
     * compared for every event by the handler and the metrics.
     */
    @Override
    public boolean equals(Object other) {
        return other == this || other instanceof TableId table && schema.equals(table.schema) && name.equals(table.name);
    }

    @Override
    public int hashCode() {
        return 31 * schema.hashCode() + name.hashCode();
    }

    /** {@code schema.name} without quotes, the form used in topic mappings and logs. */
    @Override
    public String toString() {
        return schema + '.' + name;
    }

    /** The name as a SQL identifier, each part double-quoted: {@code "public"."Order Items"}. */
    public String quoted() {
        return quote(schema) + '.' + quote(name);
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
