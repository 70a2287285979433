package dev.pgcdc.it.service;

import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;

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

    /** Bytes of WAL written since the confirmed flush LSN. */
    public long lagBytes() {
        return postgres.queryValue(Long.class, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?", name);
    }

    /** Waits until {@code service} streams from the slot; fails at once with its output if it exits first. */
    public void awaitStreamingBy(PgcdcProcess service, Duration timeout) {
        await("slot " + name + " streamed by " + service).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .failFast("the service exited before streaming", () -> {
                    if (!service.isAlive()) {
                        throw new AssertionError(service + " exited with " + service.awaitExit(Duration.ZERO)
                                + " before streaming from slot " + name + "\n" + service.tail());
                    }
                })
                .until(this::isActive);
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
