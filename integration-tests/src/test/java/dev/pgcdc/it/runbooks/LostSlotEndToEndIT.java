package dev.pgcdc.it.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook "A lost slot" of docs/operations.md against the packaged service: the slot is dropped
 * while pgcdc is stopped and the captured table changes meanwhile (inserts, an update, a delete). With
 * {@code slot.create-if-not-exists = false} pgcdc refuses to start, naming the missing slot; with
 * {@code true} (on a server that was never promoted) it creates a new slot and streams from now on, the
 * gap's changes missing. The documented repair, a new slot taken with {@code snapshot.mode = initial},
 * sends every row's current state as a read event (the deleted row sends nothing) and streams on.
 */
@TestEnvironment
class LostSlotEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ROWS = 40;

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("lost");

    @Test
    void aDroppedSlotStopsTheStartAndASnapshotBringsEveryRowBack(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text)",
                "INSERT INTO " + table + " SELECT i, 'v1' FROM generate_series(1, " + ROWS + ") AS i");
        String topic = service.topic();
        ServiceConfig config = service.config();
        ReplicationSlot slot = service.slot();
        TopicReader reader = TopicReader.of(kafka);
        PgcdcProcess.runUntilConfirmed(config.writeTo(service.directory()), service.directory(), "before", slot,
                ReplicationSlot.currentWalLsn(postgres));

        // lost while pgcdc is stopped, and the table changes meanwhile
        slot.drop();
        postgres.execute("INSERT INTO " + table + " VALUES (" + (ROWS + 1) + ", 'in the gap')",
                "UPDATE " + table + " SET name = 'updated in the gap' WHERE id = 1",
                "DELETE FROM " + table + " WHERE id = 2");

        // slot.create-if-not-exists = false: the start fails, naming the slot
        config.slot(config.slot(), false);
        Outcome refused = service.runToEnd("refused");
        assertThat(refused.exitCode()).as("%s", refused).isNotZero();
        assertThat(refused.stderr()).as("%s", refused).contains("replication slot \"" + config.slot() + "\" does not exist");
        assertThat(slot.read()).as("no slot created").isEmpty();

        // slot.create-if-not-exists = true on a server that was never promoted: a new slot, streaming from now on
        config.slot(config.slot(), true);
        try (PgcdcProcess recreated = service.start("recreated")) {
            postgres.execute("INSERT INTO " + table + " VALUES (" + (ROWS + 2) + ", 'after the new slot')");
            slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), recreated, WAIT);
            recreated.stopGracefully(WAIT);
        }
        List<ChangeRecord> streamed = reader.readAll(topic);
        assertThat(streamed).extracting(record -> record.row().get("id").asInt()).as("only the change after the new slot: the gap's are missing")
                .containsExactly(ROWS + 2);

        // the repair: stop, drop what is left of the slot, start with an initial snapshot
        slot.drop();
        config.with("pgcdc.snapshot { mode = initial }");
        try (PgcdcProcess resnapshot = service.start("resnapshot")) {
            resnapshot.awaitLogLine("initial snapshot complete", WAIT);
            postgres.execute("INSERT INTO " + table + " VALUES (" + (ROWS + 3) + ", 'after the snapshot')");
            slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), resnapshot, WAIT);
            resnapshot.stopGracefully(WAIT);
        }
        List<ChangeRecord> all = reader.readAll(topic);
        List<ChangeRecord> repaired = all.subList(streamed.size(), all.size());
        Map<Integer, String> reads = repaired.stream().filter(record -> record.op().equals("r"))
                .collect(Collectors.toMap(record -> record.after().get("id").asInt(), record -> record.after().get("name").asText()));
        Map<Integer, String> current = postgres.query("SELECT id, name FROM " + table + " WHERE id <= " + (ROWS + 2)).stream()
                .collect(Collectors.toMap(row -> (Integer) row.get("id"), row -> (String) row.get("name")));
        assertThat(reads).as("every row's current state as a read event, the deleted row absent").isEqualTo(current)
                .containsEntry(1, "updated in the gap").containsEntry(ROWS + 1, "in the gap").doesNotContainKey(2);
        assertThat(repaired).filteredOn(record -> !record.op().equals("r")).extracting(record -> record.after().get("id").asInt())
                .as("streamed after the snapshot").containsExactly(ROWS + 3);
    }
}
