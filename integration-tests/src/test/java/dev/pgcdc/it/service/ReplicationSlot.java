package dev.pgcdc.it.service;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.Optional;

/** What PostgreSQL says about a test's replication slot ({@code pg_replication_slots}), as an operator would look. */
public final class ReplicationSlot {

    private final PostgresDatabase postgres;
    private final String name;

    public ReplicationSlot(PostgresDatabase postgres, String name) {
        this.postgres = postgres;
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Whether a walsender streams from the slot now; false when the slot does not exist. */
    public boolean isActive() {
        Boolean active = postgres.query("SELECT active FROM pg_replication_slots WHERE slot_name = ?", name).stream()
                .map(row -> (Boolean) row.get("active")).findFirst().orElse(false);
        return active;
    }

    /** {@code confirmed_flush_lsn}: up to where the service has confirmed the stream; {@link Lsn#INVALID} without a slot. */
    public Lsn confirmedFlushLsn() {
        return postgres.query("SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = ?", name).stream()
                .map(row -> (String) row.get("lsn")).filter(text -> text != null).map(Lsn::parse).findFirst().orElse(Lsn.INVALID);
    }

    /** The process id of the walsender streaming from the slot, empty when none does. */
    public Optional<Integer> activePid() {
        return postgres.query("SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?", name).stream()
                .map(row -> (Integer) row.get("active_pid")).filter(pid -> pid != null).findFirst();
    }

    /** Ends the walsender streaming from the slot ({@code pg_terminate_backend}), as a failover or a DBA might; false when none did. */
    public boolean terminateWalsender() {
        return postgres.query("SELECT pg_terminate_backend(active_pid) AS terminated FROM pg_replication_slots"
                + " WHERE slot_name = ? AND active_pid IS NOT NULL", name).stream()
                .anyMatch(row -> Boolean.TRUE.equals(row.get("terminated")));
    }

    /**
     * {@code pg_stat_replication.sent_lsn} of the slot's walsender: how far it has decoded and sent the
     * stream (for a transaction still open, into its changes); {@link Lsn#INVALID} when none streams.
     */
    public Lsn sentLsn() {
        return postgres.query("SELECT r.sent_lsn::text AS lsn FROM pg_stat_replication r JOIN pg_replication_slots s"
                + " ON s.active_pid = r.pid WHERE s.slot_name = ?", name).stream()
                .map(row -> (String) row.get("lsn")).filter(text -> text != null).map(Lsn::parse).findFirst().orElse(Lsn.INVALID);
    }

    /** One reading of the slot's row and the server's WAL position, taken together; empty when the slot does not exist. */
    public Optional<Reading> read() {
        return postgres.query("SELECT active, restart_lsn::text AS restart, confirmed_flush_lsn::text AS confirmed,"
                + " pg_current_wal_lsn()::text AS current FROM pg_replication_slots WHERE slot_name = ?", name).stream()
                .map(row -> new Reading((Boolean) row.get("active"), Lsn.parse((String) row.get("restart")),
                        Lsn.parse((String) row.get("confirmed")), Lsn.parse((String) row.get("current"))))
                .findFirst();
    }

    /**
     * What {@code pg_replication_slots} and {@code pg_current_wal_lsn()} said at one moment.
     *
     * @param active            whether a walsender streamed from the slot
     * @param restartLsn        the oldest WAL the slot keeps
     * @param confirmedFlushLsn what the consumer confirmed
     * @param currentLsn        the server's WAL position
     */
    public record Reading(boolean active, Lsn restartLsn, Lsn confirmedFlushLsn, Lsn currentLsn) {
    }

    /** Bytes of WAL written since the confirmed flush LSN. */
    public long lagBytes() {
        return postgres.queryValue(Long.class, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?", name);
    }

    /** Waits until {@code service} streams from the slot; fails at once with its output if it exits first. */
    public void awaitStreamingBy(PgcdcProcess service, Duration timeout) {
        service.awaitWhileRunning("slot " + name + " streamed", timeout, this::isActive);
    }

    /**
     * Waits until the slot is confirmed at or past {@code lsn} (the service has everything up to there
     * in Kafka); fails at once with its output if {@code service} exits first.
     */
    public void awaitConfirmed(Lsn lsn, PgcdcProcess service, Duration timeout) {
        service.awaitWhileRunning("slot " + name + " confirmed up to " + lsn, timeout, () -> !confirmedFlushLsn().isBefore(lsn));
    }

    /** Drops the slot if it exists (ending a walsender still on it): slots hold WAL back. */
    public void drop() {
        postgres.dropReplicationSlotIfExists(name);
    }

    /** The server's current WAL position. */
    public static Lsn currentWalLsn(PostgresDatabase postgres) {
        return Lsn.parse(postgres.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));
    }
}
