package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Mode {@code initial} end to end against a real server, with a writer committing single-row inserts,
 * updates and deletes the whole time: the slot is created with the exported snapshot, the snapshot's rows
 * and then the slot's changes are replayed in order, and the result equals the table. With a new slot
 * the replay is strict (no gap, no duplicate): every streamed insert is of a key the snapshot did not
 * have, every update and delete of a key it had. With a slot that existed before, changes since the
 * slot's position may repeat, and upserts still converge.
 */
class SnapshotThenStreamIT {

    private static final int INITIAL_ROWS = 5000;

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("s2s");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String schema = TestNames.unique("coord");

    @AfterEach
    void dropCoordinationSchema() {
        db.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    /** Commits single-row inserts, updates and deletes until stopped. */
    private final class Writer implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong transactions = new AtomicLong();
        volatile Throwable failure;

        @Override
        public void run() {
            try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int choice = random.nextInt(10);
                    int id = 1 + random.nextInt(INITIAL_ROWS + (int) transactions.get() / 2);
                    if (choice < 5) {
                        statement.execute("INSERT INTO " + table + " (v, note) VALUES (" + random.nextInt() + ", 'new')");
                    } else if (choice < 8) {
                        statement.execute("UPDATE " + table + " SET v = v + 1, note = 'updated' WHERE id = " + id);
                    } else {
                        statement.execute("DELETE FROM " + table + " WHERE id = " + id);
                    }
                    transactions.incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    /** Applies events in order as upserts and deletes, recording what a strict replay must not see. */
    private static final class Replay {
        final Map<Integer, Map<String, Object>> rows = new HashMap<>();
        final List<String> violations = new ArrayList<>();
        final boolean strict;
        long reads;
        long changes;
        Position last;
        Position lastRead;
        Position firstChange;

        Replay(boolean strict) {
            this.strict = strict;
        }

        void apply(ChangeEvent event) {
            if (last != null && !event.position().isAfter(last)) {
                violations.add("position " + event.position() + " after " + last);
            }
            last = event.position();
            Integer id = (Integer) event.identifyingRow().value("id");
            boolean present = rows.containsKey(id);
            switch (event.operation()) {
                case READ -> {
                    reads++;
                    lastRead = event.position();
                    if (present) {
                        violations.add("row " + id + " read twice");
                    }
                    if (firstChange != null) {
                        violations.add("snapshot row " + id + " after the stream started");
                    }
                    rows.put(id, event.after().asMap());
                }
                case INSERT, UPDATE -> {
                    changes++;
                    if (firstChange == null) {
                        firstChange = event.position();
                    }
                    if (strict && event.operation() == Operation.INSERT && present) {
                        violations.add("insert of row " + id + " the snapshot already had (duplicate)");
                    }
                    if (strict && event.operation() == Operation.UPDATE && !present) {
                        violations.add("update of row " + id + " the replay does not have (gap)");
                    }
                    rows.put(id, event.after().asMap());
                }
                case DELETE -> {
                    changes++;
                    if (strict && !present) {
                        violations.add("delete of row " + id + " the replay does not have (gap)");
                    }
                    rows.remove(id);
                }
                default -> violations.add("unexpected " + event.operation());
            }
        }
    }

    private Map<Integer, Map<String, Object>> tableNow() {
        Map<Integer, Map<String, Object>> now = new HashMap<>();
        db.query("SELECT id, v, note FROM " + table).forEach(row -> now.put((Integer) row.get("id"), row));
        return now;
    }

    private Replay run(boolean strict) throws Exception {
        ChunkClaimStore store = SnapshotFixtures.postgresStore(db, schema);
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.INITIAL, "only", 500, table);
        ChunkedSnapshotter snapshot = SnapshotFixtures.snapshotter(db, settings, store, capture.slot());
        Writer writer = new Writer();
        Thread writing = new Thread(writer, "writer");
        Replay replay = new Replay(strict);
        writing.start();
        try (SnapshotThenStream source = new SnapshotThenStream(snapshot,
                () -> new PostgresSource(SnapshotFixtures.sourceSettings(db, capture.publication(), capture.slot()).tables(table).build()))) {
            source.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            long lastCheck = 0;
            long writesDuringSnapshot = -1;
            while (true) {
                assertThat(System.nanoTime()).as("replay did not converge in time (%d reads, %d changes)", replay.reads, replay.changes)
                        .isLessThan(deadline);
                List<ChangeEvent> events = source.poll(1000, Duration.ofMillis(100));
                for (ChangeEvent event : events) {
                    replay.apply(event);
                    source.acknowledge(event.position());
                }
                if (source.isStreaming() && writesDuringSnapshot < 0) {
                    writesDuringSnapshot = writer.transactions.get();
                    assertThat(writesDuringSnapshot).as("transactions committed while the snapshot ran").isGreaterThan(100);
                }
                if (source.isStreaming() && replay.changes > 200 && !writer.stop.get()) {
                    writer.stop.set(true);
                    writing.join();
                }
                if (writer.stop.get() && events.isEmpty() && System.nanoTime() - lastCheck > 1_000_000_000L) {
                    lastCheck = System.nanoTime();
                    if (replay.rows.equals(tableNow())) {
                        break;
                    }
                }
            }
        } finally {
            writer.stop.set(true);
            writing.join();
        }
        assertThat(writer.failure).isNull();
        assertThat(replay.violations).isEmpty();
        assertThat(replay.reads).isGreaterThanOrEqualTo(INITIAL_ROWS / 2);
        assertThat(replay.firstChange).isGreaterThan(replay.lastRead);
        assertThat(replay.rows).isEqualTo(tableNow());
        return replay;
    }

    @Test
    void aNewSlotWithTheExportedSnapshotThenItsStreamHaveNoGapAndNoDuplicate() throws Exception {
        db.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, v int, note text)",
                "INSERT INTO " + table + " (v, note) SELECT g, 'initial' FROM generate_series(1, " + INITIAL_ROWS + ") g",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table);
        Replay replay = run(true);
        String confirmed = db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                capture.slot());
        assertThat(Lsn.parse(confirmed)).isGreaterThan(replay.lastRead.commitLsn());
    }

    @Test
    void anExistingSlotGetsASnapshotExportedWithoutItAndUpsertsConverge() throws Exception {
        db.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, v int, note text)",
                "INSERT INTO " + table + " (v, note) SELECT g, 'initial' FROM generate_series(1, " + INITIAL_ROWS + ") g",
                "CREATE PUBLICATION " + capture.publication() + " FOR TABLE " + table);
        String slotLsn = db.queryValue(String.class, "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')", capture.slot());
        db.execute("UPDATE " + table + " SET note = 'changed after the slot' WHERE id <= 100");
        Replay replay = run(false);
        assertThat(replay.lastRead.commitLsn()).as("snapshot positions lie just below the slot's position")
                .isEqualTo(Lsn.of(Lsn.parse(slotLsn).value() - 1));
    }
}
