package dev.pgcdc.api.snapshot;

/**
 * Exports snapshots for {@link Snapshotter}s; implemented by the source, which owns the replication
 * connection. Thread-safe.
 */
public interface SnapshotExporter {

    /**
     * Creates the logical replication slot {@code slotName} with an exported snapshot
     * ({@code CREATE_REPLICATION_SLOT ... (SNAPSHOT 'export')}), whose consistent point is the slot's:
     * streaming from the slot after reading the snapshot has no gap and no duplicate.
     *
     * @throws dev.pgcdc.api.CdcException when the slot exists or cannot be created, saying why
     */
    ExportedSnapshot createSlotWithSnapshot(String slotName);

    /**
     * Exports a snapshot without a slot ({@code pg_export_snapshot()} in a REPEATABLE READ, READ ONLY
     * transaction); its consistent point is the WAL insert position at the export. Used by
     * {@code snapshot_only}, and by {@code initial} when the slot already exists (rows changed between
     * the slot's position and the export then arrive twice, which upsert consumers absorb).
     */
    ExportedSnapshot exportSnapshot();
}
