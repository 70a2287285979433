package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;

/**
 * Failover slots (PostgreSQL 17+): logical slots of a primary, created with {@code failover = true},
 * that a {@link PostgresStandby} synchronises (its {@code sync_replication_slots}) so that it still
 * holds them after a promotion.
 *
 * <p>A standby first holds a new failover slot as a temporary slot ({@code synced}, {@code temporary});
 * it becomes sync-ready (persistent, kept at promotion) only once the primary's slot has moved past
 * what the standby could reserve: its consumer must confirm a position past the standby's catalog
 * xmin, and the primary must log its running transactions (done every 15 s by the background writer,
 * at once by {@code pg_log_standby_snapshot()}). Until then the standby logs "could not synchronize
 * replication slot". Stateless; thread-safe.
 */
public final class FailoverSlots {
    /** The slot synchronisation worker naps up to 30 s when nothing changes: a generous bound. */
    public static final Duration SYNC_BOUND = Duration.ofSeconds(120);

    private FailoverSlots() {
    }

    /**
     * Creates a logical slot with {@code failover = true} and output plugin {@code plugin} on the
     * standby's primary, moves it to the primary's current position (so that the standby can take it
     * over; nothing written before this call is decoded from it), and waits until the standby holds it
     * sync-ready. Returns the standby's copy.
     */
    public static ReplicationSlot create(PostgresStandby standby, String slot, String plugin) {
        PostgresServer primary = standby.primary();
        requireFailoverSlots(primary);
        primary.query("SELECT slot_name::text FROM pg_create_logical_replication_slot(?, ?, false, false, true)", slot, plugin);
        return awaitSyncReady(standby, slot, SYNC_BOUND, true);
    }

    /**
     * Waits until the standby holds the failover slot {@code slot} sync-ready, asking the primary to
     * log its running transactions meanwhile. Does not move the slot: for a new slot its consumer (the
     * code under test) must confirm a position first. Returns the standby's copy.
     */
    public static ReplicationSlot awaitSynchronized(PostgresStandby standby, String slot, Duration bound) {
        requireFailoverSlots(standby.primary());
        return awaitSyncReady(standby, slot, bound, false);
    }

    private static ReplicationSlot awaitSyncReady(PostgresStandby standby, String slot, Duration bound, boolean advance) {
        PostgresServer primary = standby.primary();
        ServerConditions.await("standby " + standby.name() + " to hold failover slot " + slot + " sync-ready", bound, () -> {
            primary.query("SELECT pg_log_standby_snapshot()::text");
            if (advance) {
                primary.query("SELECT end_lsn::text FROM pg_replication_slot_advance(?, pg_current_wal_lsn())", slot);
            }
            return ReplicationSlot.find(standby, slot).filter(ReplicationSlot::isSyncReady).isPresent();
        }, () -> "on the primary: " + ReplicationSlot.find(primary, slot).map(Object::toString).orElse("no slot " + slot)
                + "\n" + standby.logs());
        return ReplicationSlot.find(standby, slot).orElseThrow();
    }

    private static void requireFailoverSlots(PostgresServer primary) {
        int major = primary.serverMajorVersion();
        if (major < 17) {
            throw new TestEnvironmentException("failover slots need PostgreSQL 17 or later; the primary on port "
                    + primary.port() + " runs " + major);
        }
    }
}
