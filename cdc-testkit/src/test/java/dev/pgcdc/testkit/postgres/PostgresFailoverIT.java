package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.testkit.TestNames;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

/** PostgreSQL 17's own failover: kill -9 of the primary, promotion of the standby, the failover slot on the new primary. */
class PostgresFailoverIT {

    @Test
    void aPromotedStandbyHoldsTheFailoverSlotAtOrBeforeThePrimarysPositionAndNothingAfterItIsLost() {
        try (PostgresServer primary = PostgresServer.builder().version("17").start();
             PostgresStandby standby = PostgresStandby.of(primary).start()) {
            String table = TestNames.unique("failover");
            String slot = TestNames.unique("failover_slot");
            String plainSlot = TestNames.unique("plain_slot");
            primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
            FailoverSlots.create(standby, slot, "test_decoding");
            primary.query("SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'test_decoding')", plainSlot);
            primary.execute("INSERT INTO " + table + " VALUES (1, 'consumed before the failover')");
            assertThat(changes(primary, slot)).anyMatch(change -> change.contains("consumed before the failover"));
            primary.execute("INSERT INTO " + table + " SELECT g, 'committed after the last confirm' FROM generate_series(2, 6) g");
            standby.awaitReplayed();
            LogSequenceNumber confirmedOnPrimary = ReplicationSlot.find(primary, slot).orElseThrow().confirmedFlushLsn();

            primary.kill();
            long promoting = System.nanoTime();
            standby.promote();
            System.out.println("pgcdc-testkit: standby promoted in "
                    + Duration.ofNanos(System.nanoTime() - promoting).toMillis() + " ms after kill -9 of the primary");

            assertThat(standby.isInRecovery()).isFalse();
            ReplicationSlot onNewPrimary = ReplicationSlot.find(standby, slot).orElseThrow();
            assertThat(onNewPrimary.failover()).isTrue();
            assertThat(onNewPrimary.temporary()).isFalse();
            assertThat(onNewPrimary.confirmedFlushLsn()).isLessThanOrEqualTo(confirmedOnPrimary);
            assertThat(ReplicationSlot.find(standby, plainSlot)).as("a slot without failover stays behind").isEmpty();
            assertThat(changes(standby, slot))
                    .filteredOn(change -> change.contains("committed after the last confirm"))
                    .hasSize(5);
            standby.execute("INSERT INTO " + table + " VALUES (7, 'written on the new primary')");
            assertThat(changes(standby, slot)).anyMatch(change -> change.contains("written on the new primary"));
        }
    }

    /** Decodes (and confirms) what the test_decoding slot holds. */
    private static List<String> changes(PostgresDatabase database, String slot) {
        return database.query("SELECT data FROM pg_logical_slot_get_changes(?, NULL, NULL)", slot).stream()
                .map(row -> (String) row.get("data"))
                .toList();
    }
}
