package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.testkit.TestNames;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A streaming standby of a PostgreSQL 17 primary, and a failover slot it synchronises. */
class PostgresStandbyIT {
    private static PostgresServer primary;
    private static PostgresStandby standby;

    @BeforeAll
    static void start() {
        primary = PostgresServer.builder().version("17").start();
        standby = PostgresStandby.of(primary).start();
    }

    @AfterAll
    static void close() {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void streamsAndReplaysWhatThePrimaryCommits() {
        standby.awaitStreaming();
        String table = TestNames.unique("replayed");
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " VALUES (1), (2), (3)");

        standby.awaitReplayed();

        assertThat(standby.queryValue(Long.class, "SELECT count(*) FROM " + table)).isEqualTo(3L);
        assertThat(standby.isInRecovery()).isTrue();
        assertThat(standby.port()).isNotEqualTo(primary.port());
        assertThat(standby.server().dataDirectory()).isNotEqualTo(primary.dataDirectory());
        assertThatThrownBy(() -> standby.execute("INSERT INTO " + table + " VALUES (4)"))
                .hasMessageContaining("read-only transaction");
        assertThat(ReplicationSlot.find(primary, standby.name())).hasValueSatisfying(slot -> {
            assertThat(slot.type()).isEqualTo("physical");
            assertThat(slot.active()).isTrue();
        });
        assertThat(standby.queryValue(String.class, "SHOW sync_replication_slots")).isEqualTo("on");
        assertThat(primary.queryValue(String.class, "SHOW synchronized_standby_slots")).isEqualTo(standby.name());
    }

    @Test
    void holdsAFailoverSlotOfThePrimarySynchronised() {
        String slot = TestNames.unique("failover_slot");

        ReplicationSlot onStandby = FailoverSlots.create(standby, slot, "pgoutput");

        ReplicationSlot onPrimary = ReplicationSlot.find(primary, slot).orElseThrow();
        assertThat(onPrimary.failover()).isTrue();
        assertThat(onPrimary.synced()).isFalse();
        assertThat(onStandby.synced()).isTrue();
        assertThat(onStandby.temporary()).isFalse();
        assertThat(onStandby.failover()).isTrue();
        assertThat(onStandby.plugin()).isEqualTo("pgoutput");
        assertThat(onStandby.confirmedFlushLsn()).isNotNull().isLessThanOrEqualTo(onPrimary.confirmedFlushLsn());
        primary.dropReplicationSlotIfExists(slot);
    }

    @Test
    void aSecondStandbyIsRemovedFromThePrimaryWhenClosed() {
        long firstPid = standby.server().pid();
        PostgresStandby second = PostgresStandby.of(primary).name("standby2").start();
        assertThat(primary.queryValue(String.class, "SHOW synchronized_standby_slots")).isEqualTo(standby.name() + ",standby2");
        long secondPid = second.server().pid();

        second.close();

        assertThat(ProcessHandle.of(secondPid)).isEmpty();
        assertThat(Files.exists(second.server().dataDirectory())).isFalse();
        assertThat(ReplicationSlot.find(primary, "standby2")).isEmpty();
        assertThat(primary.queryValue(String.class, "SHOW synchronized_standby_slots")).isEqualTo(standby.name());
        // the first standby lost its primary for a moment, not its process: it streams again
        assertThat(standby.server().pid()).isEqualTo(firstPid);
        standby.awaitStreaming();
    }
}
