package dev.pgcdc.it.pgfailover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.FailoverSlots;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import dev.pgcdc.testkit.postgres.PostgresServer;
import dev.pgcdc.testkit.postgres.PostgresStandby;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue #17's acceptance tests with the packaged service (a child JVM) and PostgreSQL servers of the
 * test's own: a primary and a physical streaming standby (test kit {@link PostgresStandby}).
 *
 * <ul>
 *   <li>Promotion: PostgreSQL 17, {@code postgres.hosts = [primary, standby]}, {@code slot.failover = true},
 *       synchronous replication to the standby (so a commit acknowledged to the writer is on the standby),
 *       a continuous write load through a multi-host connection; kill -9 of the primary, promotion of the
 *       standby. The service reconnects to the new primary by itself and every acknowledged commit, before
 *       and after the promotion, reaches Kafka. The time from the promotion to the first record written by
 *       the new primary is logged.</li>
 *   <li>Decoding from a standby: PostgreSQL 16, {@code target-server-type = standby}: the service streams
 *       what the primary commits through a slot the standby holds, and writes its heartbeats on the primary.</li>
 * </ul>
 */
@TestEnvironment
class PostgresFailoverEndToEndIT {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresFailoverEndToEndIT.class);
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    private final String table = TestNames.unique("pgfailover");

    @Test
    void killNineOfThePrimaryAndPromotionOfItsStandbyLoseNoAcknowledgedCommit(KafkaCluster kafka) {
        try (PostgresServer primary = PostgresServer.builder().version("17").start();
             PostgresStandby standby = PostgresStandby.of(primary).start()) {
            // synchronous replication: a commit is acknowledged once the standby flushed it, so the promoted standby has it
            primary.execute("ALTER SYSTEM SET synchronous_standby_names = '" + standby.name() + "'", "SELECT pg_reload_conf()",
                    "CREATE TABLE " + table + " (id integer PRIMARY KEY, note text)");
            String topic = kafka.createTopic(TestNames.unique("pgfailover"), 3);
            ServiceConfig config = ServiceConfig.of(primary, kafka).publication(table + "_pub", true)
                    .slot(TestNames.unique("pgfailover"), true).table(table, topic)
                    .with("pgcdc.postgres.host = null")
                    .with("pgcdc.postgres.hosts = [\"" + address(primary) + "\", \"" + address(standby) + "\"]")
                    .with("pgcdc.slot.failover = true")
                    .with("pgcdc.postgres.reconnect-backoff = 200ms")
                    .with("pgcdc.postgres.reconnect-max-backoff = 1s");
            ReplicationSlot onPrimary = new ReplicationSlot(primary, config.slot());
            try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "pgcdc");
                 TopicWatch watch = TopicWatch.start(kafka, topic)) {
                onPrimary.awaitStreamingBy(service, BOUND); // the slot exists from here on: what is committed later is decoded
                assertThat(primary.queryValue(String.class, "SELECT sync_state FROM pg_stat_replication WHERE application_name = ?",
                        standby.name())).as("the standby replicates synchronously").isEqualTo("sync");
                try (AcknowledgedWrites writes = AcknowledgedWrites.start(List.of(address(primary), address(standby)), primary.database(),
                        primary.user(), primary.password(), table)) {
                    service.awaitWhileRunning("200 rows in " + topic, BOUND, () -> watch.ids().size() >= 200);
                    FailoverSlots.awaitSynchronized(standby, config.slot(), FailoverSlots.SYNC_BOUND);
                    int synchronised = watch.ids().size();
                    service.awaitWhileRunning("200 more rows in " + topic, BOUND, () -> watch.ids().size() >= synchronised + 200);

                    int beforeKill = writes.acknowledged().size();
                    primary.kill();
                    long promoting = System.nanoTime();
                    standby.promote();
                    long promoted = System.nanoTime();
                    service.awaitWhileRunning("a commit on the new primary", BOUND, () -> writes.reconnectedAt() != 0);
                    int first = writes.firstAfterReconnect();
                    service.awaitWhileRunning("row " + first + ", the new primary's first, in " + topic, BOUND, () -> watch.firstSeen(first) != null);
                    long firstRecord = watch.firstSeen(first);
                    LOG.info("PostgreSQL failover: promotion took {} ms; the new primary's first commit {} ms after the promotion started, "
                            + "its record in Kafka {} ms after the promotion started ({} ms after the commit); {} commits acknowledged before "
                            + "the kill", millis(promoted - promoting), millis(writes.reconnectedAt() - promoting), millis(firstRecord - promoting),
                            millis(firstRecord - writes.reconnectedAt()), beforeKill);

                    service.awaitWhileRunning("200 rows from the new primary", BOUND, () -> writes.acknowledged().size() >= beforeKill + 200);
                    awaitEvery(writes.stop(), watch, service, "id " + first + " the first after the promotion; slot on the new primary: "
                            + dev.pgcdc.testkit.postgres.ReplicationSlot.find(standby, config.slot()).orElse(null));
                }
                assertThat(service.stdout()).as("the service reconnected by itself").contains("replication connection of slot " + config.slot()
                        + " lost");
                service.stopGracefully(BOUND);
            }
        }
    }

    /** Waits until {@code watch} saw every id of {@code acknowledged}; fails naming the missing ones and {@code context}. */
    private static void awaitEvery(Set<Integer> acknowledged, TopicWatch watch, PgcdcProcess service, String context) {
        try {
            service.awaitWhileRunning("every acknowledged commit in the topic", BOUND, () -> watch.ids().containsAll(acknowledged));
        } catch (ConditionTimeoutException e) {
            Set<Integer> missing = new TreeSet<>(acknowledged);
            missing.removeAll(watch.ids());
            throw new AssertionError(missing.size() + " of " + acknowledged.size() + " acknowledged commits missing from the topic, ids "
                    + ranges(missing) + "; " + context + "\n" + service.tail(), e);
        }
    }

    /** {@code 1-5, 9, 12-13}: the ids in ascending order, runs collapsed. */
    private static String ranges(Set<Integer> ids) {
        StringBuilder text = new StringBuilder();
        Integer start = null;
        Integer previous = null;
        for (int id : new TreeSet<>(ids)) {
            if (previous == null || id != previous + 1) {
                if (start != null) {
                    text.append(start.equals(previous) ? "" + start : start + "-" + previous).append(", ");
                }
                start = id;
            }
            previous = id;
        }
        return start == null ? "none" : text.append(start.equals(previous) ? "" + start : start + "-" + previous).toString();
    }

    @Test
    void theServicePointedAtAStandbyStreamsWhatThePrimaryCommitsAndWritesHeartbeatsOnThePrimary(KafkaCluster kafka) {
        try (PostgresServer primary = PostgresServer.builder().version("16").start();
             PostgresStandby standby = PostgresStandby.of(primary).start()) {
            String heartbeat = table + "_heartbeat";
            String publication = table + "_pub";
            primary.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, note text)",
                    "CREATE TABLE " + heartbeat + " (id int PRIMARY KEY, last_heartbeat timestamptz NOT NULL)",
                    "CREATE PUBLICATION " + publication + " FOR TABLE " + table + ", " + heartbeat);
            String topic = kafka.createTopic(TestNames.unique("standby"), 3);
            ServiceConfig config = ServiceConfig.of(primary, kafka).publication(publication, false)
                    .slot(TestNames.unique("standby"), true).table(table, topic)
                    .with("pgcdc.postgres.host = null")
                    .with("pgcdc.postgres.hosts = [\"" + address(primary) + "\", \"" + address(standby) + "\"]")
                    .with("pgcdc.postgres.target-server-type = standby")
                    .with("pgcdc.heartbeat.table = \"public." + heartbeat + "\"")
                    .with("pgcdc.heartbeat.interval = 1s");
            ReplicationSlot onStandby = new ReplicationSlot(standby, config.slot());
            try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "pgcdc");
                 TopicWatch watch = TopicWatch.start(kafka, topic)) {
                onStandby.awaitStreamingBy(service, BOUND);
                assertThat(service.stdout()).contains("is a standby (in recovery): decoding from a standby through its own slot " + config.slot());
                try (AcknowledgedWrites writes = AcknowledgedWrites.start(List.of(address(primary)), primary.database(), primary.user(),
                        primary.password(), table)) {
                    service.awaitWhileRunning("500 rows committed", BOUND, () -> writes.acknowledged().size() >= 500);
                    awaitEvery(writes.stop(), watch, service, "committed on the primary, decoded on the standby");
                }
                assertThat(new ReplicationSlot(primary, config.slot()).read()).as("no slot on the primary").isEmpty();
                await("a heartbeat written on the primary").atMost(BOUND)
                        .until(() -> primary.queryValue(Long.class, "SELECT count(*) FROM " + heartbeat) == 1);
                service.stopGracefully(BOUND);
            }
        }
    }

    private static String address(PostgresDatabase server) {
        return server.host() + ":" + server.port();
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
