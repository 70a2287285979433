package dev.pgcdc.postgres;

import java.util.Locale;
import java.util.Objects;

/**
 * The replica identity a captured table is given: what PostgreSQL writes as the old row of updates
 * and deletes. {@code DEFAULT}: the primary key; {@code FULL}: the whole row; {@code NOTHING}: no
 * old row; {@code USING INDEX}: the columns of a unique index.
 *
 * @param kind      which identity
 * @param indexName the index for {@link Kind#USING_INDEX}, null otherwise
 */
public record ReplicaIdentity(Kind kind, String indexName) {

    /** The four kinds of {@code ALTER TABLE ... REPLICA IDENTITY}. */
    public enum Kind { DEFAULT, FULL, NOTHING, USING_INDEX }

    public static final ReplicaIdentity DEFAULT = new ReplicaIdentity(Kind.DEFAULT, null);
    public static final ReplicaIdentity FULL = new ReplicaIdentity(Kind.FULL, null);
    public static final ReplicaIdentity NOTHING = new ReplicaIdentity(Kind.NOTHING, null);

    public ReplicaIdentity {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.USING_INDEX) != (indexName != null && !indexName.isEmpty())) {
            throw new IllegalArgumentException("an index name goes with USING INDEX and only with it");
        }
    }

    public static ReplicaIdentity usingIndex(String indexName) {
        return new ReplicaIdentity(Kind.USING_INDEX, indexName);
    }

    /**
     * Parses {@code DEFAULT}, {@code FULL}, {@code NOTHING} or {@code USING INDEX name} (any case; the
     * index name as written, double quotes removed).
     *
     * @throws IllegalArgumentException when the text is none of these
     */
    public static ReplicaIdentity parse(String text) {
        String trimmed = text.trim();
        String upper = trimmed.toUpperCase(Locale.ROOT);
        switch (upper) {
            case "DEFAULT":
                return DEFAULT;
            case "FULL":
                return FULL;
            case "NOTHING":
                return NOTHING;
            default:
                break;
        }
        String[] words = trimmed.split("\\s+", 3);
        if (words.length == 3 && words[0].equalsIgnoreCase("USING") && words[1].equalsIgnoreCase("INDEX")) {
            String index = words[2];
            if (index.length() >= 2 && index.startsWith("\"") && index.endsWith("\"")) {
                index = index.substring(1, index.length() - 1).replace("\"\"", "\"");
            }
            return usingIndex(index);
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a replica identity; allowed: DEFAULT, FULL, NOTHING, \"USING INDEX <name>\"");
    }

    /** The SQL after {@code REPLICA IDENTITY}, index name quoted. */
    public String sql() {
        return switch (kind) {
            case DEFAULT -> "DEFAULT";
            case FULL -> "FULL";
            case NOTHING -> "NOTHING";
            case USING_INDEX -> "USING INDEX \"" + indexName.replace("\"", "\"\"") + '"';
        };
    }

    @Override
    public String toString() {
        return kind == Kind.USING_INDEX ? "USING INDEX " + indexName : kind.name();
    }
}
