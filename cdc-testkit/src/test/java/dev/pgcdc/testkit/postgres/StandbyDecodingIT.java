package dev.pgcdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.testkit.TestNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Logical decoding on a PostgreSQL 16 standby of changes committed on its primary. */
class StandbyDecodingIT {
    private static PostgresServer primary;
    private static PostgresStandby standby;

    @BeforeAll
    static void start() {
        primary = PostgresServer.builder().version("16").start();
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
    void aTestDecodingSlotOnTheStandbyDecodesWhatThePrimaryCommits() {
        assertThat(standby.serverMajorVersion()).isEqualTo(16);
        String table = TestNames.unique("decoded");
        String slot = TestNames.unique("standby_slot");
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
        standby.createLogicalSlot(slot, "test_decoding");
        try {
            primary.execute("INSERT INTO " + table + " VALUES (1, 'committed on the primary')");
            standby.awaitReplayed();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(standby.query(
                    "SELECT data FROM pg_logical_slot_get_changes(?, NULL, NULL)", slot))
                    .anyMatch(row -> ((String) row.get("data")).contains("committed on the primary")));
            assertThat(ReplicationSlot.find(standby, slot).orElseThrow().confirmedFlushLsn()).isNotNull();
            assertThat(ReplicationSlot.find(primary, slot)).as("the slot is the standby's own").isEmpty();
        } finally {
            standby.dropReplicationSlotIfExists(slot);
        }
    }

    @Test
    void aPgoutputSlotOnTheStandbyDecodesThePrimarysPublication() {
        String table = TestNames.unique("published");
        String publication = table + "_pub";
        String slot = TestNames.unique("standby_pgoutput");
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        standby.createLogicalSlot(slot, "pgoutput");
        try {
            primary.execute("INSERT INTO " + table + " VALUES (1, 'published by the primary')");
            standby.awaitReplayed();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(new String(pgoutput(slot, publication),
                    StandardCharsets.UTF_8)).contains("published by the primary"));
        } finally {
            standby.dropReplicationSlotIfExists(slot);
        }
    }

    private static byte[] pgoutput(String slot, String publication) {
        List<byte[]> messages = standby.query("SELECT data FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL,"
                        + " 'proto_version', '1', 'publication_names', ?)", slot, publication).stream()
                .map(row -> (byte[]) row.get("data"))
                .toList();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        messages.forEach(all::writeBytes);
        return all.toByteArray();
    }
}
