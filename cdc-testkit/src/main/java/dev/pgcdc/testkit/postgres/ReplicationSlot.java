package dev.pgcdc.testkit.postgres;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.postgresql.replication.LogSequenceNumber;

/**
 * A row of {@code pg_replication_slots}, as a test checks it on a primary or a standby.
 *
 * @param name              {@code slot_name}
 * @param plugin            the output plugin of a logical slot, {@code null} for a physical one
 * @param type              {@code physical} or {@code logical}
 * @param temporary         whether the slot is temporary; on a standby, a synchronised slot stays
 *                          temporary until it is sync-ready, and a temporary one is dropped at promotion
 * @param active            whether a process streams from it now
 * @param failover          whether it is a failover slot (PostgreSQL 17+; {@code false} before)
 * @param synced            whether a standby's slot synchronisation made it (PostgreSQL 17+;
 *                          {@code false} before); stays {@code true} after a promotion
 * @param restartLsn        the oldest WAL the slot holds, {@code null} if none
 * @param confirmedFlushLsn what its consumer confirmed, {@code null} for a physical slot
 */
public record ReplicationSlot(String name, String plugin, String type, boolean temporary, boolean active,
                              boolean failover, boolean synced, LogSequenceNumber restartLsn,
                              LogSequenceNumber confirmedFlushLsn) {

    /** The slot called {@code slot} on the server of {@code database}, if there is one. */
    public static Optional<ReplicationSlot> find(PostgresDatabase database, String slot) {
        String failoverColumns = database.serverMajorVersion() >= 17 ? "failover, synced" : "false AS failover, false AS synced";
        List<Map<String, Object>> rows = database.query("SELECT slot_name, plugin, slot_type, temporary, active, "
                + failoverColumns + ", restart_lsn::text, confirmed_flush_lsn::text"
                + " FROM pg_replication_slots WHERE slot_name = ?", slot);
        return rows.stream().findFirst().map(row -> new ReplicationSlot((String) row.get("slot_name"),
                (String) row.get("plugin"), (String) row.get("slot_type"), (Boolean) row.get("temporary"),
                (Boolean) row.get("active"), (Boolean) row.get("failover"), (Boolean) row.get("synced"),
                lsn(row.get("restart_lsn")), lsn(row.get("confirmed_flush_lsn"))));
    }

    /** Whether a standby holds this slot ready for a promotion: synchronised and no longer temporary. */
    public boolean isSyncReady() {
        return synced && !temporary;
    }

    private static LogSequenceNumber lsn(Object text) {
        return text == null ? null : LogSequenceNumber.valueOf((String) text);
    }
}
