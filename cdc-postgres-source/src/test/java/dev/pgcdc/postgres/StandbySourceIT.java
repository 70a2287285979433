package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.postgres.connection.TargetServerType;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.postgres.PostgresStandby;
import dev.pgcdc.testkit.postgres.ReplicationSlot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Decoding from a standby (PostgreSQL 16, a primary and a streaming standby started by the test
 * kit): the source pointed at the standby streams what the primary commits through a slot of the
 * standby's own, and changes nothing on the standby; what the standby lacks is an error that says
 * what to run on the primary. The servers are pinned to 16, so the repetition on PostgreSQL 14 skips
 * them.
 */
class StandbySourceIT {

    private static final Duration BOUND = Duration.ofSeconds(90);

    private static PostgresServer primary;
    private static PostgresStandby standby;

    private final String table = TestNames.unique("orders");
    private final String publication = TestNames.unique("standby_pub");
    private final String slot = TestNames.unique("standby_slot");

    @BeforeAll
    static void startServers() {
        org.junit.jupiter.api.Assumptions.assumeFalse("14".equals(System.getProperty("pgcdc.it.postgres.version")),
                "pinned to PostgreSQL 16; runs once");
        primary = PostgresServer.builder().version("16").start();
        standby = PostgresStandby.of(primary).start();
    }

    @AfterAll
    static void stopServers() {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @Test
    void changesCommittedOnThePrimaryStreamThroughASlotOfTheStandbysOwnAndNothingIsWrittenThere() throws Exception {
        String heartbeat = TestNames.unique("heartbeat");
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)",
                "CREATE TABLE " + heartbeat + " (id int PRIMARY KEY, last_heartbeat timestamptz NOT NULL)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table + ", " + heartbeat);
        standby.awaitReplayed();
        PostgresSourceSettings settings = onStandby().heartbeatTable(new TableId("public", heartbeat)).build();

        AtomicReference<SourceHarness> started = new AtomicReference<>();
        String log = LogCapture.during(() -> started.set(startWhileThePrimaryLogsRunningTransactions(settings)));
        try (SourceHarness harness = started.get()) {
            assertThat(log).contains("is a standby (in recovery): decoding from a standby through its own slot " + slot)
                    .contains("publication.create-if-not-exists has no effect here")
                    .contains("heartbeat.table = public." + heartbeat + " is set, but")
                    .contains("pgcdc writes no heartbeats");
            primary.execute("INSERT INTO " + table + " VALUES (1, 'committed on the primary')",
                    "UPDATE " + table + " SET note = 'updated on the primary' WHERE id = 1");

            List<ChangeEvent> events = harness.take(2, BOUND);
            assertThat(events.get(0).after().value("note")).isEqualTo("committed on the primary");
            assertThat(events.get(1).after().value("note")).isEqualTo("updated on the primary");
            assertThat(harness.source.origin().orElseThrow().systemId()).as("the primary's cluster")
                    .isEqualTo(primary.queryValue(String.class, "SELECT system_identifier::text FROM pg_control_system()"));
            assertThat(ReplicationSlot.find(standby, slot)).as("the slot is the standby's").isPresent();
            assertThat(ReplicationSlot.find(primary, slot)).as("nothing made on the primary").isEmpty();
            assertThat(primary.queryValue(Long.class, "SELECT count(*) FROM " + heartbeat)).as("no heartbeat with one host").isZero();
            long commit = LogSequenceNumber.valueOf(events.get(1).position().commitLsn().toString()).asLong();
            await().atMost(BOUND).untilAsserted(() -> assertThat(ReplicationSlot.find(standby, slot).orElseThrow().confirmedFlushLsn().asLong())
                    .as("confirmed on the standby's slot").isGreaterThanOrEqualTo(commit));
        } finally {
            standby.dropReplicationSlotIfExists(slot);
        }
    }

    @Test
    void listingThePrimaryInHostsLetsTheSourceAskItForTheSlotsSnapshotAndWriteHeartbeatsThere() throws Exception {
        String heartbeat = TestNames.unique("heartbeat");
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)",
                "CREATE TABLE " + heartbeat + " (id int PRIMARY KEY, last_heartbeat timestamptz NOT NULL)",
                "CREATE PUBLICATION " + publication + " FOR TABLE " + table + ", " + heartbeat);
        standby.awaitReplayed();
        PostgresSourceSettings settings = onStandby().host(null)
                .hosts(List.of(primary.host() + ":" + primary.port(), standby.host() + ":" + standby.port()))
                .targetServerType(TargetServerType.STANDBY)
                .heartbeatTable(new TableId("public", heartbeat)).heartbeatInterval(Duration.ofMillis(500)).build();

        AtomicReference<SourceHarness> started = new AtomicReference<>();
        // nothing else writes on the primary: without the source's own pg_log_standby_snapshot() the slot would wait
        String log = LogCapture.during(() -> started.set(SourceHarness.start(settings)));
        try (SourceHarness harness = started.get()) {
            assertThat(log).contains("asking database \"" + primary.database() + "\" at ").contains("(the primary)")
                    .contains("heartbeats to public." + heartbeat + " are written every");
            primary.execute("INSERT INTO " + table + " VALUES (7, 'through the standby')");
            ChangeEvent event = harness.take(1, BOUND).get(0);
            assertThat(event.after().value("id")).isEqualTo(7);
            await().atMost(BOUND).until(() -> primary.queryValue(Long.class, "SELECT count(*) FROM " + heartbeat) == 1);
            assertThat(ReplicationSlot.find(primary, slot)).isEmpty();
        } finally {
            standby.dropReplicationSlotIfExists(slot);
        }
    }

    @Test
    void aMissingPublicationOrADifferentReplicaIdentityIsAnErrorSayingWhatToRunOnThePrimary() {
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)");
        standby.awaitReplayed();

        assertThatThrownBy(() -> SourceHarness.start(onStandby().build()).close()).isInstanceOf(SourceException.class)
                .hasMessageContaining("publication \"" + publication + "\" does not exist on the standby")
                .hasMessageContaining("create it on the primary")
                .hasMessageContaining("CREATE PUBLICATION \"" + publication + "\" FOR TABLE \"public\".\"" + table + "\"");

        primary.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        standby.awaitReplayed();
        PostgresSourceSettings full = onStandby().tables(List.of(new TableSettings(new TableId("public", table), ReplicaIdentity.parse("FULL"),
                List.of()))).build();
        assertThatThrownBy(() -> SourceHarness.start(full).close()).isInstanceOf(SourceException.class)
                .hasMessageContaining("the replica identity of public." + table + " is DEFAULT, configured FULL")
                .hasMessageContaining("Run on the primary: ALTER TABLE \"public\".\"" + table + "\" REPLICA IDENTITY FULL");
        assertThat(ReplicationSlot.find(standby, slot)).as("no slot made before the checks passed").isEmpty();

        assertThatThrownBy(() -> new PostgresSource(onStandby().build()).preparePublication()).isInstanceOf(SourceException.class)
                .hasMessageContaining("an initial snapshot (pgcdc.snapshot.mode = initial) cannot run on a standby")
                .hasMessageContaining("pgcdc.snapshot.mode = never");
    }

    @Test
    void aFailoverSlotIsRefusedOnAStandby() {
        primary.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)", "CREATE PUBLICATION " + publication + " FOR TABLE " + table);
        standby.awaitReplayed();
        assertThatThrownBy(() -> SourceHarness.start(onStandby().slotFailover(true).build()).close()).isInstanceOf(SourceException.class)
                .hasMessageContaining("slot.failover = true, but the server is a standby (in recovery)");
        assertThat(ReplicationSlot.find(standby, slot)).isEmpty();
    }

    /** The source's settings for the standby alone, publication and slot "created" by the source. */
    private PostgresSourceSettings.Builder onStandby() {
        return SourceHarness.settings(standby, publication, slot).tables(table);
    }

    /**
     * Starts the source while a thread asks the primary to log its running transactions, which the
     * slot's creation on the standby waits for (the source cannot: the primary is not in its settings).
     */
    private static SourceHarness startWhileThePrimaryLogsRunningTransactions(PostgresSourceSettings settings) throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        Thread nudger = new Thread(() -> {
            while (!done.get()) {
                primary.query("SELECT pg_log_standby_snapshot()::text");
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "standby-snapshot-nudger");
        nudger.setDaemon(true);
        nudger.start();
        try {
            return SourceHarness.start(settings);
        } finally {
            done.set(true);
            nudger.join(BOUND.toMillis());
        }
    }
}
