package dev.pgcdc.it.runbooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.MetricsScrape;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.ServiceHttp;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.postgres.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WAL part of the runbooks "Slot lag growing" and "A lost slot" of docs/operations.md, on a
 * PostgreSQL of its own with {@code max_wal_size = 32MB} and {@code max_slot_wal_keep_size = 64MB}
 * (16 MB segments): pgcdc is stalled (the broker dies with a change in flight, so nothing is confirmed)
 * while the server writes and switches WAL. The slot's {@code wal_status} goes from {@code reserved} to
 * {@code extended}, which {@code pgcdc_slot_wal_status} and {@code /slot} show, and past the cap a
 * checkpoint invalidates it ({@code lost}, which the gauge shows too; {@code unreserved} lasts only until
 * that checkpoint). The invalidation ends the walsender; stalled on Kafka, the service only waits to
 * reconnect. Restarted once Kafka is back, it stops at start with the server's error that the slot can no
 * longer give changes: nothing after the last confirmed change is skipped silently, the slot is not
 * re-created.
 */
@TestEnvironment
class WalStatusLostEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(WalStatusLostEndToEndIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int MAX_SWITCHES = 40;
    private static final String LOST_SLOT_ERROR = "can no longer get changes from replication slot";

    @RegisterExtension
    final ServiceFixture fixture = ServiceFixture.named("walcap");

    @Test
    void aStalledSlotGoesExtendedThenLostAndARestartStopsWithTheServersError() {
        try (PostgresServer postgres = PostgresServer.builder().setting("max_wal_size", "32MB").setting("min_wal_size", "32MB")
                .setting("max_slot_wal_keep_size", "64MB").setting("checkpoint_timeout", "1h").start();
             KafkaBroker broker = KafkaBroker.builder().start()) {
            fixture.on(postgres, broker);
            String table = fixture.table();
            String filler = fixture.table("filler");
            postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text)",
                    "CREATE TABLE " + filler + " (id serial PRIMARY KEY, payload text)");
            String topic = fixture.topic();
            ServiceConfig config = fixture.config().with("pgcdc.metrics.slot-interval = 1s")
                    .with("pgcdc.kafka.delivery-timeout = 180s"); // stalled on Kafka, not failed by it, while the WAL piles up
            ReplicationSlot slot = fixture.slot();
            TopicReader reader = TopicReader.of(broker);
            List<String> seen = new ArrayList<>();
            try (PgcdcProcess service = fixture.start("stalled")) {
                int port = service.awaitHttpPort(WAIT);
                postgres.execute("INSERT INTO " + table + " VALUES (1, 'delivered')");
                reader.awaitAtLeast(topic, 1, WAIT);
                slot.awaitConfirmed(ReplicationSlot.currentWalLsn(postgres), service, WAIT);
                assertThat(walStatus(postgres, slot)).isEqualTo("reserved");

                broker.kill();
                postgres.execute("INSERT INTO " + table + " VALUES (2, 'in flight when the slot was lost')");
                while (!"extended".equals(walStatus(postgres, slot))) {
                    switchWal(postgres, filler, seen, slot);
                }
                service.awaitWhileRunning("pgcdc_slot_wal_status{status=\"extended\"} 1", WAIT, () -> {
                    MetricsScrape metrics = MetricsScrape.of(port);
                    return metrics.value("pgcdc_slot_wal_status", "status", "extended") == 1
                            && metrics.value("pgcdc_slot_wal_status", "status", "reserved") == 0;
                });
                JsonNode slotView = ChangeRecord.parse(ServiceHttp.get(port, "/slot"));
                assertThat(slotView.get("walStatus").asText()).as("/slot %s", slotView).isEqualTo("extended");

                // past max_slot_wal_keep_size the next checkpoint invalidates the slot, ending its walsender
                while (!"lost".equals(walStatus(postgres, slot))) {
                    switchWal(postgres, filler, seen, slot);
                    postgres.execute("CHECKPOINT");
                    seen.add(walStatus(postgres, slot));
                }
                LOG.info("wal_status seen: {}", seen);
                service.awaitWhileRunning("pgcdc_slot_wal_status{status=\"lost\"} 1", WAIT,
                        () -> MetricsScrape.of(port).value("pgcdc_slot_wal_status", "status", "lost") == 1);
                // stalled on Kafka, the service does not notice the loss before Kafka answers (or delivery-timeout passes);
                // its supervisor's restart, once Kafka is back, is what meets the lost slot
                service.kill();
            }
            assertThat(seen).as("wal_status as the WAL piled up").containsSubsequence("extended", "lost");

            broker.restart();
            Outcome restart = fixture.runToEnd("restarted");
            LOG.info("restart on the lost slot: {}", restart);
            assertThat(restart.exitCode()).as("%s", restart).isNotZero();
            assertThat(restart.stderr()).as("%s", restart).startsWith("pgcdc: cannot start").contains(config.slot())
                    .contains(LOST_SLOT_ERROR).contains("invalidated");
            assertThat(walStatus(postgres, slot)).as("the lost slot is left as it is, not re-created").isEqualTo("lost");
            assertThat(reader.readAll(topic)).extracting(record -> record.after().get("id").asInt())
                    .as("nothing after the last confirmed change: the change in flight is not skipped silently either").containsExactly(1);
        }
    }

    /** Writes a row of WAL and switches to a new segment (a switch with nothing written since the last is a no-op). */
    private static void switchWal(PostgresServer postgres, String filler, List<String> seen, ReplicationSlot slot) {
        assertThat(seen).as("wal_status after %s WAL switches", seen.size()).hasSizeLessThan(MAX_SWITCHES);
        postgres.execute("INSERT INTO " + filler + " (payload) VALUES ('wal')", "SELECT pg_switch_wal()");
        seen.add(walStatus(postgres, slot));
    }

    private static String walStatus(PostgresServer postgres, ReplicationSlot slot) {
        return postgres.queryValue(String.class, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?", slot.name());
    }
}
