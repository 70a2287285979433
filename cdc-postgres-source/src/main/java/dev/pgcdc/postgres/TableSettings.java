package dev.pgcdc.postgres;

import dev.pgcdc.api.event.TableId;
import java.util.List;
import java.util.Objects;

/**
 * A captured table: its name, optionally the replica identity to give it, and optionally the
 * columns to publish (a publication column list, PostgreSQL 15 and newer; empty for all columns), and how
 * the snapshot cuts it into chunks.
 *
 * @param table           schema-qualified name
 * @param replicaIdentity applied with {@code ALTER TABLE ... REPLICA IDENTITY} at start when it differs; null when not
 *                        configured: the table keeps the identity it has (a DBA's choice is never undone)
 * @param columns          the published columns, empty for all
 * @param snapshotStrategy {@code auto}, {@code integer-range}, {@code keyset} or {@code ctid}: the snapshot's chunk
 *                         strategy for the table (docs/configuration.md, {@code snapshot-strategy})
 */
public record TableSettings(TableId table, ReplicaIdentity replicaIdentity, List<String> columns, String snapshotStrategy) {

    /** The chunk strategy chosen from the table's key. */
    public static final String AUTO = "auto";
    /** Every value of {@code snapshot-strategy}. */
    public static final List<String> SNAPSHOT_STRATEGIES = List.of(AUTO, "integer-range", "keyset", "ctid");

    public TableSettings {
        Objects.requireNonNull(table, "table");
        columns = List.copyOf(columns);
        if (!SNAPSHOT_STRATEGIES.contains(snapshotStrategy)) {
            throw new IllegalArgumentException("snapshot-strategy of " + table + " is \"" + snapshotStrategy + "\"; allowed: "
                    + String.join(", ", SNAPSHOT_STRATEGIES));
        }
    }

    /** The table with the snapshot strategy {@code auto}. */
    public TableSettings(TableId table, ReplicaIdentity replicaIdentity, List<String> columns) {
        this(table, replicaIdentity, columns, AUTO);
    }

    /** The table named {@code schema.name} (or {@code name} in {@code public}), its replica identity left as it is, all columns. */
    public static TableSettings of(String name) {
        return new TableSettings(TableId.parse(name), null, List.of());
    }

    /** The table with {@code replicaIdentity} (null: left as it is), all columns. */
    public static TableSettings of(TableId table, ReplicaIdentity replicaIdentity) {
        return new TableSettings(table, replicaIdentity, List.of());
    }
}
