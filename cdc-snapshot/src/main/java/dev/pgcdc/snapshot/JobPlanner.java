package dev.pgcdc.snapshot;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.snapshot.SnapshotExporter;
import dev.pgcdc.api.snapshot.TableCatalog;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.api.source.DatabaseConnections;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the planner of a job does: exports the snapshot, plans every table's chunks inside it, and
 * stores the plan.
 *
 * <p>The snapshot: for {@code snapshot_only}, {@link SnapshotExporter#exportSnapshot()}. For {@code initial},
 * the slot is created with an exported snapshot when it does not exist (its consistent point is where the
 * stream starts: no gap, no duplicate); when the slot already exists (a snapshot started again on an old
 * slot, or {@code resnapshot}), a snapshot is exported without it and the consistent point recorded is the
 * slot's confirmed position, where streaming will resume: rows changed between that position and the
 * export then arrive twice (as snapshot rows and as changes), which consumers applying upserts absorb.
 * Called on the snapshot's worker thread.
 */
final class JobPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(JobPlanner.class);

    /** The exported snapshot and the LSN the stream continues from. */
    record Export(ExportedSnapshot snapshot, Lsn consistentPoint) {
    }

    private final SnapshotSettings settings;
    private final ChunkClaimStore store;
    private final SnapshotExporter exporter;
    private final DatabaseConnections connections;
    private final TableCatalog catalog;
    private final String slotName;

    JobPlanner(SnapshotSettings settings, ChunkClaimStore store, SnapshotExporter exporter, DatabaseConnections connections,
               TableCatalog catalog, String slotName) {
        this.settings = settings;
        this.store = store;
        this.exporter = exporter;
        this.connections = connections;
        this.catalog = catalog;
        this.slotName = slotName;
    }

    /**
     * Exports, plans and saves the plan of {@code jobId}; returns the export (the caller closes it when the job ends).
     * The tables' configured strategies are checked first, so an impossible one fails before a slot or a
     * snapshot is made and before any row is read.
     */
    Export plan(String jobId) throws SQLException {
        checkStrategies();
        Export export = export();
        try {
            List<Chunk> chunks = planChunks(jobId, export.snapshot().snapshotId());
            store.savePlan(jobId, settings.instanceId(), export.snapshot().snapshotId(), export.consistentPoint(), chunks);
            LOG.info("snapshot job {}: planned {} chunk(s) of {} table(s) under snapshot {}, consistent point {}", jobId, chunks.size(),
                    settings.tables().size(), export.snapshot().snapshotId(), export.consistentPoint());
            return export;
        } catch (SQLException | RuntimeException e) {
            export.snapshot().close();
            throw e;
        }
    }

    /** Checks every configured (not auto) strategy against its table's key, from the catalog. */
    private void checkStrategies() throws SQLException {
        List<TableId> forced = settings.tables().stream().filter(table -> settings.strategyFor(table) != ChunkStrategy.AUTO).toList();
        if (forced.isEmpty()) {
            return;
        }
        ChunkPlanner planner = new ChunkPlanner(settings.chunkSize());
        try (Connection connection = connections.open()) {
            for (TableId table : forced) {
                planner.check(connection, catalog.describe(connection, table), settings.strategyFor(table));
            }
        }
    }

    private Export export() throws SQLException {
        if (settings.mode() != SnapshotSettings.Mode.INITIAL || slotName == null) {
            ExportedSnapshot snapshot = exporter.exportSnapshot();
            return new Export(snapshot, snapshot.consistentPoint());
        }
        Optional<Lsn> slotPosition = slotPosition();
        if (slotPosition.isEmpty()) {
            try {
                ExportedSnapshot snapshot = exporter.createSlotWithSnapshot(slotName);
                return new Export(snapshot, snapshot.consistentPoint());
            } catch (CdcException e) {
                slotPosition = slotPosition();
                if (slotPosition.isEmpty()) {
                    throw e;
                }
                LOG.info("replication slot {} was created concurrently: {}", slotName, e.getMessage());
            }
        }
        ExportedSnapshot snapshot = exporter.exportSnapshot();
        Lsn streamStart = slotPosition.get().isValid() && slotPosition.get().isBefore(snapshot.consistentPoint())
                ? slotPosition.get() : snapshot.consistentPoint();
        LOG.warn("replication slot {} exists already (confirmed at {}), so the snapshot was exported without it at {}: rows changed between "
                + "the slot's position and the export appear twice, as snapshot rows and as changes (consumers applying upserts converge)",
                slotName, slotPosition.get(), snapshot.consistentPoint());
        return new Export(snapshot, streamStart);
    }

    /** Whether the slot streaming continues from exists (true when there is none to check: mode snapshot_only). */
    boolean slotExists() throws SQLException {
        return settings.mode() != SnapshotSettings.Mode.INITIAL || slotName == null || slotPosition().isPresent();
    }

    /** The slot's confirmed flush LSN, empty when there is no such slot. */
    private Optional<Lsn> slotPosition() throws SQLException {
        try (Connection connection = connections.open(); PreparedStatement statement = connection.prepareStatement(
                "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slotName);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String lsn = row.getString(1);
                return Optional.of(lsn == null ? Lsn.INVALID : Lsn.parse(lsn));
            }
        }
    }

    private List<Chunk> planChunks(String jobId, String snapshotId) throws SQLException {
        ChunkPlanner planner = new ChunkPlanner(settings.chunkSize());
        List<Chunk> chunks = new ArrayList<>();
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION SNAPSHOT '" + snapshotId.replace("'", "''") + "'");
            }
            for (TableId table : settings.tables()) {
                TableShape shape = catalog.describe(connection, table);
                chunks.addAll(planner.plan(connection, jobId, shape, settings.strategyFor(table), chunks.size()));
            }
            connection.commit();
        }
        return chunks;
    }
}
