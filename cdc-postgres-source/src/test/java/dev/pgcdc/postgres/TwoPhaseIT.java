package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A slot created with {@code two_phase = true} (by a DBA or another tool): PostgreSQL 15+ then
 * decodes prepared transactions at PREPARE TRANSACTION whatever the client asks for. Their changes
 * are emitted when they commit, also when the commit comes after a restart, never when they are
 * rolled back, and the slot is never confirmed past an unresolved PREPARE.
 */
class TwoPhaseIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("orders");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String gids = TestNames.unique("gid");
    private final String role = capture.role("streamer");

    @BeforeEach
    void createTwoPhaseSlot() {
        assumeThat(db.serverMajorVersion()).as("pgoutput decodes prepared transactions from PostgreSQL 15").isGreaterThanOrEqualTo(15);
        assumeThat(db.queryValue(Integer.class, "SELECT current_setting('max_prepared_transactions')::int"))
                .as("max_prepared_transactions on the test server").isPositive();
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, note text)", "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table);
        db.query("SELECT pg_create_logical_replication_slot(?, 'pgoutput', false, true)::text", capture.slot());
    }

    @AfterEach
    void cleanUp() {
        for (Map<String, Object> prepared : db.query("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE ?", gids + "%")) {
            db.execute("ROLLBACK PREPARED '" + prepared.get("gid") + "'");
        }
    }

    @Test
    void emitsPreparedTransactionsWhenTheyCommitAlsoAfterARestartAndNeverWhenRolledBack() throws Exception {
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        Lsn afterFirstPrepare;
        try (SourceHarness harness = SourceHarness.start(settings)) {
            prepare("g0", "INSERT INTO " + table + " VALUES (1, 'committed while running')");
            db.execute("COMMIT PREPARED '" + gids + "g0'");
            assertThat(harness.take(1, Duration.ofSeconds(60))).extracting(e -> e.after().value("id")).containsExactly(1);

            Lsn beforePrepare = currentLsn();
            prepare("g1", "INSERT INTO " + table + " VALUES (2, 'committed after a restart')");
            afterFirstPrepare = currentLsn();
            prepare("g2", "INSERT INTO " + table + " VALUES (3, 'rolled back')");
            db.execute("INSERT INTO " + table + " VALUES (4, 'plain')");
            assertThat(harness.take(1, Duration.ofSeconds(60))).extracting(e -> e.after().value("id")).containsExactly(4);
            assertThat(harness.pollFor(Duration.ofMillis(500))).as("nothing of the unresolved prepared transactions").isEmpty();

            awaitTrue("the confirmed position reaches the first PREPARE", () -> harness.confirmed().compareTo(beforePrepare) >= 0);
            assertThat(harness.confirmed()).as("never past the unresolved PREPARE").isLessThan(afterFirstPrepare);
        }
        assertThat(slotConfirmedLsn()).as("the slot, after the last status update").isLessThan(afterFirstPrepare);

        db.execute("COMMIT PREPARED '" + gids + "g1'", "ROLLBACK PREPARED '" + gids + "g2'", "INSERT INTO " + table + " VALUES (5, 'after')");
        try (SourceHarness harness = SourceHarness.start(settings)) {
            List<ChangeEvent> events = harness.take(3, Duration.ofSeconds(60));
            assertThat(events).as("4 again (committed after the first PREPARE, at least once), then the prepared one at its commit, never 3")
                    .extracting(e -> e.after().value("id")).containsExactly(4, 2, 5);
            assertThat(harness.pollFor(Duration.ofMillis(500))).isEmpty();
            ChangeEvent prepared = events.get(1);
            assertThat(prepared.position()).isEqualTo(new Position(prepared.commitLsn(), 0));
            assertThat(prepared.commitLsn()).isGreaterThan(events.get(0).commitLsn()).isLessThan(events.get(2).commitLsn());
            Lsn last = events.get(2).commitLsn();
            awaitTrue("with nothing unresolved the slot advances again", () -> harness.confirmed().compareTo(last) > 0);
        }
    }

    @Test
    void emitsALargeStreamedPreparedTransactionAtCommitPrepared() throws Exception {
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION SUPERUSER", "ALTER ROLE " + role + " SET logical_decoding_work_mem = '64kB'");
        PostgresSourceSettings settings = SourceHarness.settings(capture).user(role).tables(table)
                .streamBufferMemory(64 * 1024).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            prepare("big", "INSERT INTO " + table + " SELECT i, repeat('p', 100) FROM generate_series(1, 20000) i");
            assertThat(harness.pollFor(Duration.ofSeconds(2))).as("nothing before COMMIT PREPARED").isEmpty();
            Long streamed = db.queryValue(Long.class, "SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = ?", capture.slot());
            assertThat(streamed).as("PostgreSQL streamed it").isNotNull().isPositive();

            db.execute("COMMIT PREPARED '" + gids + "big'");
            List<ChangeEvent> events = harness.take(20000, Duration.ofSeconds(120));
            assertThat(events).extracting(e -> e.after().value("id")).containsExactlyElementsOf(IntStream.rangeClosed(1, 20000).boxed().toList());
            assertThat(events.get(19999).position()).isEqualTo(new Position(events.get(0).commitLsn(), 19999));
            assertThat(harness.source.spilledTransactions()).isPositive();
            assertThat(harness.source.streamBufferMemoryUsed()).isZero();
        }
    }

    private void prepare(String gid, String sql) {
        db.execute("BEGIN", sql, "PREPARE TRANSACTION '" + gids + gid + "'");
    }

    private Lsn currentLsn() {
        return Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_insert_lsn()::text"));
    }

    private Lsn slotConfirmedLsn() {
        return Lsn.parse(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", capture.slot()));
    }

    private static void awaitTrue(String what, Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
