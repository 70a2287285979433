package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.coordination.Chunk;
import dev.pgcdc.api.coordination.ChunkClaimStore;
import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.snapshot.ChunkLedger;
import dev.pgcdc.api.snapshot.ChunkMark;
import dev.pgcdc.api.snapshot.ChunkMarks;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The snapshotter's side of exactly-once snapshots, with a fake {@link ChunkLedger} (our own port) over a real
 * server: every chunk's last row carries its mark (and no other row does), a chunk held before by another owner
 * is looked up in the ledger (which fences that owner) before it is read, a committed one is marked done with the
 * ledger's row count and never read again, and a chunk nobody held is never looked up.
 */
class ChunkedSnapshotterLedgerIT {

    private static final int ROWS = 300;
    private static final int CHUNK = 100;

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("ledgerit");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final ConnectionFactory connections = SnapshotFixtures.connections(db);

    /** A ledger that answers from {@code committed} (chunk id to rows) and records every question and the marks it got. */
    private static final class FakeLedger implements ChunkLedger {
        final Map<Long, Long> committed = new HashMap<>();
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile ChunkMarks marks;
        volatile String instance;

        @Override
        public boolean commitsExactlyOnce() {
            return true;
        }

        @Override
        public void commitChunks(String instanceId, ChunkMarks chunkMarks) {
            instance = instanceId;
            marks = chunkMarks;
        }

        @Override
        public OptionalLong committedRows(String jobRun, long chunkId, String previousOwner) {
            asked.add(chunkId + " of " + previousOwner);
            Long rows = committed.get(chunkId);
            return rows == null ? OptionalLong.empty() : OptionalLong.of(rows);
        }
    }

    private ChunkedSnapshotter snapshotter(String instance, String jobId, ChunkClaimStore store) {
        SnapshotSettings settings = SnapshotFixtures.settings(SnapshotSettings.Mode.SNAPSHOT_ONLY, instance, CHUNK, table).withId(jobId);
        return new ChunkedSnapshotter(settings, store, new PgSnapshotExporter(connections), connections, new PgTableCatalog(), null);
    }

    @Test
    void aChunkHeldBeforeIsLookedUpAndACommittedOneIsNeverReadAgain() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO " + table + " SELECT g, g FROM generate_series(1, " + ROWS + ") g", "ANALYZE " + table);
        InMemoryClaimStore store = new InMemoryClaimStore();
        String jobId = TestNames.unique("job");

        // instance a reads without any acknowledgement, then stops: its chunks go back with a as their last owner
        FakeLedger ofA = new FakeLedger();
        try (ChunkedSnapshotter a = snapshotter("a", jobId, store)) {
            a.commitThrough(ofA);
            assertThat(ofA.instance).isEqualTo("a");
            a.start();
            SnapshotFixtures.take(a, ROWS, Duration.ofSeconds(60));
            assertThat(ofA.asked).as("chunks nobody held before are not looked up").isEmpty();
        }
        List<Chunk> chunks = store.chunks(jobId);
        assertThat(chunks).hasSize(ROWS / CHUNK);
        Chunk committed = chunks.get(0);

        FakeLedger ofB = new FakeLedger();
        ofB.committed.put(committed.chunkId(), (long) CHUNK);
        List<ChangeEvent> events = new ArrayList<>();
        List<ChunkMark> marks = new ArrayList<>();
        try (ChunkedSnapshotter b = snapshotter("b", jobId, store)) {
            b.commitThrough(ofB);
            b.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!b.isComplete()) {
                assertThat(System.nanoTime()).as("snapshot complete within 60 s").isLessThan(deadline);
                for (ChangeEvent event : b.poll(500, Duration.ofMillis(100))) {
                    ofB.marks.endingAt(event.position()).ifPresent(marks::add); // as the sink asks, before the commit acknowledges
                    events.add(event);
                    b.acknowledge(event.position());
                }
            }
        }

        assertThat(ofB.asked).as("every chunk a held is looked up, fencing a")
                .containsExactlyInAnyOrderElementsOf(chunks.stream().map(chunk -> chunk.chunkId() + " of a").toList());
        assertThat(store.doneCalls()).filteredOn(call -> call.chunk().equals(committed)).singleElement()
                .satisfies(call -> {
                    assertThat(call.instanceId()).isEqualTo("b");
                    assertThat(call.rows()).as("the ledger's row count").isEqualTo(CHUNK);
                    assertThat(call.accepted()).isTrue();
                });
        long upper = Long.parseLong(((ChunkRange.KeyRange) committed.range()).upper().get(0));
        assertThat(events).as("rows of the chunks not committed before, once").hasSize(ROWS - CHUNK)
                .allSatisfy(event -> assertThat(((Number) event.after().value("id")).longValue()).isGreaterThan(upper));
        assertThat(marks).as("one mark per chunk read, on its last row").hasSize(chunks.size() - 1)
                .allSatisfy(mark -> {
                    assertThat(mark.rows()).isEqualTo(CHUNK);
                    assertThat(mark.jobRun()).startsWith(jobId + "@");
                })
                .extracting(ChunkMark::chunkId).doesNotContain(committed.chunkId()).doesNotHaveDuplicates();
    }
}
