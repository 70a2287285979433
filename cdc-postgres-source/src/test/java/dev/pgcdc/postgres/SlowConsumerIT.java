package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A consumer that holds events unacknowledged, or stops taking them, for longer than the server's
 * {@code wal_sender_timeout}: the slot is never confirmed past what was not acknowledged, and the
 * connection stays up. Each test runs in a database of its own whose walsenders have a short
 * {@code wal_sender_timeout} (set with {@code ALTER DATABASE}, which logical walsenders apply).
 */
@TestEnvironment
class SlowConsumerIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.inOwnDatabase("captured");
    private final PostgresDatabase server;
    private final String table = capture.table();
    private final String unrelated = capture.table("unrelated");
    private PostgresDatabase db;

    SlowConsumerIT(PostgresDatabase server) {
        this.server = server;
    }

    @BeforeEach
    void setShortWalSenderTimeout() {
        db = capture.db();
        server.execute("ALTER DATABASE " + db.database() + " SET wal_sender_timeout = '1s'");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "CREATE TABLE " + unrelated + " (id int)");
    }

    /**
     * pgjdbc's automatic flush would answer the server's reply request with the server's WAL end while
     * the last message received is older than the last confirmed LSN (here: the insert of a long
     * transaction that began before an acknowledged one), confirming a later transaction that was
     * handed out but never acknowledged. Only the tracker's confirmed LSN may reach the server.
     */
    @Test
    void neverConfirmsPastAnUnacknowledgedTransactionWhenTheServerAsksForAReply() throws Exception {
        server.execute("ALTER DATABASE " + db.database() + " SET logical_decoding_work_mem = '1GB'",
                "ALTER DATABASE " + db.database() + " SET wal_sender_timeout = '1s'");
        // status updates every 3 s: in between, the walsender asks for replies after 0.5 s of silence
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).statusInterval(Duration.ofSeconds(3))
                .build();
        try (SourceHarness harness = new SourceHarness(settings, false); Connection longTransaction = db.connect();
                Statement statement = longTransaction.createStatement()) {
            longTransaction.setAutoCommit(false);
            statement.execute("INSERT INTO " + table + " VALUES (1)"); // begins before the acknowledged transaction
            db.execute("INSERT INTO " + table + " VALUES (2)");
            List<ChangeEvent> acknowledged = harness.take(1, Duration.ofSeconds(60));
            harness.source.acknowledge(acknowledged.get(0).position());
            Lsn acknowledgedCommit = acknowledged.get(0).position().commitLsn();
            awaitWhilePolling(harness, () -> harness.confirmed().compareTo(acknowledgedCommit) > 0, "the acknowledged transaction confirmable");
            Lsn acknowledgedEnd = harness.confirmed();
            awaitWhilePolling(harness, () -> slotConfirmed().compareTo(acknowledgedEnd) >= 0, "the acknowledged transaction confirmed");

            db.execute("INSERT INTO " + table + " VALUES (3)");
            ChangeEvent neverAcknowledged = harness.take(1, Duration.ofSeconds(60)).get(0);
            // two million changes of a table outside the publication, decoded at the commit (work memory is large
            // enough not to stream them): that takes seconds, and the walsender asks for replies meanwhile with its
            // WAL position, already past the unacknowledged commit, while the last message sent is the early insert
            CompletableFuture<Lsn> longCommit = CompletableFuture.supplyAsync(() -> {
                try {
                    statement.execute("INSERT INTO " + unrelated + " SELECT g FROM generate_series(1, 2000000) g");
                    longTransaction.commit();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                return Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));
            });
            awaitWhilePolling(harness, longCommit::isDone, "the long transaction committed");
            Lsn longCommitted = longCommit.get();
            awaitWhilePolling(harness, () -> sentLsn().compareTo(longCommitted) >= 0, "the long transaction decoded and sent");
            harness.pollFor(Duration.ofSeconds(2));

            assertThat(slotConfirmed()).as("confirmed_flush_lsn while transaction " + neverAcknowledged.position() + " is unacknowledged")
                    .isLessThanOrEqualTo(neverAcknowledged.position().commitLsn());
            // no assertion on reconnects: a 1 s wal_sender_timeout can end the connection on a loaded machine, which
            // does not weaken the check (a reconnect resumes at the confirmed LSN and confirms nothing by itself)
        }
    }

    /**
     * The consumer takes nothing for four times {@code wal_sender_timeout} while changes keep
     * coming: status updates still go out, so the walsender keeps the connection; then every change
     * arrives, once, in order.
     */
    @Test
    void keepsTheConnectionWhileTheConsumerStallsLongerThanTheWalSenderTimeout() throws Exception {
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " SELECT g FROM generate_series(1, 100) g");
            assertThat(harness.take(100, Duration.ofSeconds(60))).hasSize(100);

            int walsender = walsenderPid();
            long stallEnd = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            int next = 101;
            Set<Object> replyTimes = new LinkedHashSet<>();
            while (System.nanoTime() < stallEnd) {
                db.execute("INSERT INTO " + table + " SELECT g FROM generate_series(" + next + ", " + (next + 9999) + ") g");
                next += 10_000;
                replyTimes.add(replyTime());
            }

            assertThat(walsenderPid()).as("the walsender after the stall").isEqualTo(walsender);
            assertThat(harness.source.reconnects()).as("reconnects").isZero();
            assertThat(harness.source.isConnected()).isTrue();
            // pgjdbc stamps its replies with a monotonic clock, not the wall clock: count distinct stamps, not their age
            assertThat(replyTimes).as("distinct reply_time values of pg_stat_replication during the stall").hasSizeGreaterThanOrEqualTo(5)
                    .doesNotContainNull();
            int expected = next - 101;
            List<ChangeEvent> rest = harness.take(expected, Duration.ofSeconds(120));
            assertThat(rest).extracting(e -> (Integer) e.after().value("id")).isSorted().doesNotHaveDuplicates().hasSize(expected)
                    .startsWith(101);
            // no reconnect check while draining: under a load average of 15 the 1 s wal_sender_timeout can end the
            // connection while tens of thousands of events are taken; the stall itself is checked above
        }
    }

    private void awaitWhilePolling(SourceHarness harness, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            harness.pollFor(Duration.ofMillis(100));
        }
    }

    /** The walsender's last reply time, null when the slot has no walsender. */
    private Object replyTime() {
        List<Map<String, Object>> rows = db.query("SELECT reply_time FROM pg_stat_replication WHERE pid = "
                + "(SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?)", capture.slot());
        return rows.isEmpty() ? null : rows.get(0).get("reply_time");
    }

    private int walsenderPid() {
        Integer pid = db.queryValue(Integer.class, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?", capture.slot());
        return pid == null ? -1 : pid;
    }

    private Lsn slotConfirmed() {
        return Lsn.parse(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", capture.slot()));
    }

    private Lsn sentLsn() {
        String sent = db.queryValue(String.class, "SELECT coalesce(max(sent_lsn), '0/0')::text FROM pg_stat_replication WHERE pid = "
                + "(SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?)", capture.slot());
        return Lsn.parse(sent);
    }
}
