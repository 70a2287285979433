package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** LSN feedback: what the slot's confirmed_flush_lsn does while the source runs. */
class FeedbackIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("captured");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void confirmedFlushKeepsUpWith50MegabytesWrittenToATableOutsideThePublication() throws Exception {
        String unrelated = capture.table("unrelated");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE TABLE " + unrelated + " (id int, payload text)");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            Lsn start = currentWal();
            List<Long> lagAfterEachChunk = new ArrayList<>();
            for (int chunk = 0; chunk < 10; chunk++) {
                // ~5 MB of WAL: 5000 incompressible payloads of about 1000 bytes
                db.execute("INSERT INTO " + unrelated + " SELECT g, (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 31)) "
                        + "FROM generate_series(1, 5000) g");
                assertThat(harness.pollFor(Duration.ofMillis(700))).isEmpty();
                lagAfterEachChunk.add(lagBytes());
            }
            Lsn end = currentWal();
            System.out.println("FeedbackIT: " + (end.bytesSince(start) >> 20) + " MiB of unrelated WAL; slot lag 0.7 s after each 5 MB chunk (KiB): "
                    + lagAfterEachChunk.stream().map(b -> b >> 10).toList());
            assertThat(end.bytesSince(start)).as("WAL written").isGreaterThan(50L << 20);
            assertThat(lagAfterEachChunk).as("slot lag in bytes after each chunk").allSatisfy(lag -> assertThat(lag).isLessThan(1L << 20));
            assertThat(slotConfirmed()).isGreaterThanOrEqualTo(end);
        }
    }

    @Test
    void sendsStatusUpdatesWhileTheStreamIsBusy() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        try (SourceHarness harness = new SourceHarness(SourceHarness.settings(capture).tables(table).build(), false)) {
            for (int i = 0; i < 60; i++) {
                db.execute("INSERT INTO " + table + " SELECT g FROM generate_series(" + (i * 1000 + 1) + ", " + (i * 1000 + 1000) + ") g");
            }
            // a slow consumer: 60,000 events at ~10,000/s, so reading takes several status intervals
            List<Lsn> confirmedWhileBusy = new ArrayList<>();
            int received = 0;
            long nextSample = System.nanoTime();
            while (received < 60_000) {
                List<ChangeEvent> batch = harness.source.poll(500, Duration.ofMillis(100));
                batch.forEach(e -> harness.source.acknowledge(e.position()));
                received += batch.size();
                Thread.sleep(50);
                if (System.nanoTime() >= nextSample && received < 60_000) {
                    confirmedWhileBusy.add(slotConfirmed());
                    nextSample = System.nanoTime() + Duration.ofMillis(300).toNanos();
                }
            }
            assertThat(confirmedWhileBusy.stream().distinct().count()).as("distinct confirmed_flush_lsn values while busy: " + confirmedWhileBusy)
                    .isGreaterThanOrEqualTo(5);
            assertThat(confirmedWhileBusy).isSorted();
        }
    }

    @Test
    void keepsAHeartbeatTableUpdatedWhoseEventsNeverReachTheConsumer() throws Exception {
        String heartbeat = capture.table("heartbeat");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table)
                .heartbeatTable(new TableId("public", heartbeat)).heartbeatInterval(Duration.ofMillis(200)).build();
        PostgresDatabase otherDatabase = db.createDatabase(TestNames.unique("busy"));
        try (SourceHarness harness = SourceHarness.start(settings)) {
            assertThat(db.queryValue(Long.class, "SELECT count(*) FROM pg_publication_tables WHERE pubname = ? AND tablename = ?", capture.publication(),
                    heartbeat)).isEqualTo(1);
            otherDatabase.execute("CREATE TABLE noise (payload text)",
                    "INSERT INTO noise SELECT repeat(md5(g::text), 30) FROM generate_series(1, 5000) g");
            Lsn afterNoise = currentWal();
            List<ChangeEvent> events = harness.pollFor(Duration.ofSeconds(2));
            assertThat(events).isEmpty();
            OffsetDateTime beat = db.queryValue(OffsetDateTime.class, "SELECT last_heartbeat FROM " + heartbeat + " WHERE id = 1");
            assertThat(beat).isAfter(OffsetDateTime.now().minusSeconds(5));
            assertThat(slotConfirmed()).isGreaterThanOrEqualTo(afterNoise);
            db.execute("INSERT INTO " + table + " VALUES (1)");
            assertThat(harness.take(1, Duration.ofSeconds(10))).extracting(e -> e.table().name()).containsExactly(table);
        }
    }

    private Lsn currentWal() {
        return Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));
    }

    private Lsn slotConfirmed() {
        return Lsn.parse(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", capture.slot()));
    }

    private long lagBytes() {
        return db.queryValue(Long.class, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots "
                + "WHERE slot_name = ?", capture.slot());
    }
}
