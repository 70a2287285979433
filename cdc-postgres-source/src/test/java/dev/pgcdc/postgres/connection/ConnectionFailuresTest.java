package dev.pgcdc.postgres.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ConnectionFailuresTest {

    @Test
    void explainsAPublicationThatDidNotExistYetAtTheSlotsPosition() {
        SQLException failure = new SQLException("ERROR: publication \"shop \"\"pub\"\"\" does not exist\n  Where: slot \"shop_slot\", output plugin "
                + "\"pgoutput\", in the change callback, associated LSN 0/1986090", "42704");
        assertThat(ConnectionFailures.streamFailure("shop_slot", new RuntimeException(failure)))
                .startsWith("replication from slot \"shop_slot\" failed: java.sql.SQLException: ERROR: publication")
                .contains("The slot's position is older than publication \"shop \"\"pub\"\"\"",
                        "SELECT pg_replication_slot_advance('shop_slot', pg_current_wal_lsn());",
                        "SELECT pg_drop_replication_slot('shop_slot'); and start pgcdc with slot.create-if-not-exists = true",
                        "the changes written between the slot's position and that moment are not delivered");
    }

    @Test
    void namesNoPublicationWhenTheServerSpeaksAnotherLanguage() {
        SQLException failure = new SQLException("FEHLER: Publikation »shop_pub« existiert nicht", "42704");
        assertThat(ConnectionFailures.streamFailure("shop_slot", failure)).contains("The slot's position is older than the publication:");
    }

    @Test
    void explainsASlotMissingAfterAFailover() {
        SQLException failure = new SQLException("ERROR: replication slot \"shop_slot\" does not exist", "42704");
        assertThat(ConnectionFailures.resumeFailure("shop_slot", failure)).startsWith(
                "cannot resume replication from slot \"shop_slot\": ERROR: replication slot \"shop_slot\" does not exist. The server pgcdc "
                        + "reached does not have the slot: most likely a standby was promoted");
        assertThat(ConnectionFailures.streamFailure("shop_slot", failure)).contains("most likely a standby was promoted")
                .doesNotContain("publication");
        assertThat(ConnectionFailures.resumeFailure("shop_slot", new SQLException("ERROR: boom", "XX000")))
                .isEqualTo("cannot resume replication from slot \"shop_slot\": ERROR: boom");
    }

    @Test
    void noPrimaryAmongTheHostsIsTransient() {
        assertThat(ConnectionFailures.isTransient(new SQLException("Could not find a server with specified targetServerType: primary",
                "08001"))).isTrue();
    }

    @Test
    void leavesOtherFailuresAsTheServerSaidThem() {
        SQLException failure = new SQLException("ERROR: requested WAL segment has already been removed", "58P01");
        assertThat(ConnectionFailures.streamFailure("shop_slot", failure))
                .isEqualTo("replication from slot \"shop_slot\" failed: ERROR: requested WAL segment has already been removed");
        assertThat(ConnectionFailures.isTransient(failure)).isFalse();
    }
}
