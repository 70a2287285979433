package dev.pgcdc.metrics.slot;

import dev.pgcdc.api.position.Lsn;
import java.time.Instant;
import java.util.Objects;

/**
 * One reading of a replication slot.
 *
 * @param slotName          the slot
 * @param exists            whether the slot exists; when false, the slot fields are empty
 * @param active            whether a walsender streams from it now
 * @param activePid         the walsender's process id, 0 when inactive
 * @param restartLsn        the oldest WAL the slot still needs ({@link Lsn#INVALID} when unknown)
 * @param confirmedFlushLsn what the consumer confirmed ({@link Lsn#INVALID} when unknown)
 * @param currentLsn        the server's current WAL write location
 * @param walStatus         {@code pg_replication_slots.wal_status} (reserved, extended, unreserved, lost), or null
 * @param observedAt        when it was read
 */
public record SlotFigures(
        String slotName,
        boolean exists,
        boolean active,
        long activePid,
        Lsn restartLsn,
        Lsn confirmedFlushLsn,
        Lsn currentLsn,
        String walStatus,
        Instant observedAt) {

    public SlotFigures {
        Objects.requireNonNull(slotName, "slotName");
        Objects.requireNonNull(restartLsn, "restartLsn");
        Objects.requireNonNull(confirmedFlushLsn, "confirmedFlushLsn");
        Objects.requireNonNull(currentLsn, "currentLsn");
        Objects.requireNonNull(observedAt, "observedAt");
    }

    /** A reading that found no slot of that name. */
    public static SlotFigures missing(String slotName, Lsn currentLsn, Instant observedAt) {
        return new SlotFigures(slotName, false, false, 0, Lsn.INVALID, Lsn.INVALID, currentLsn, null, observedAt);
    }

    /** WAL bytes written since the confirmed flush LSN: how far the consumer is behind; 0 when unknown. */
    public long lagBytes() {
        return confirmedFlushLsn.isValid() ? Math.max(0, currentLsn.bytesSince(confirmedFlushLsn)) : 0;
    }

    /** WAL bytes the slot keeps on the server's disk (from its restart LSN); 0 when unknown. */
    public long retainedWalBytes() {
        return restartLsn.isValid() ? Math.max(0, currentLsn.bytesSince(restartLsn)) : 0;
    }
}
