package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One transaction of a million rows (the seed workload's table) streamed through the source in a
 * test JVM of 384 MiB heap: heap use after GC stays flat while it streams (a source that held the
 * transaction would need several hundred MiB).
 */
class LargeTransactionIT {

    private static final int ROWS = 1_000_000;

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("users");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void streamsAMillionRowTransactionWithFlatHeap() throws Exception {
        db.execute("CREATE TABLE " + table + " (id serial PRIMARY KEY, name text, created_on timestamptz)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(TableSettings.of(new dev.pgcdc.api.event.TableId("public", table), ReplicaIdentity.FULL)))
                .streamBufferMemory(16L << 20).build();
        try (SourceHarness harness = new SourceHarness(settings, false)) {
            long baseline = heapAfterGc();
            long insertStarted = System.nanoTime();
            db.execute("INSERT INTO " + table + " (name, created_on) SELECT 'user ' || i, now() FROM generate_series(1, " + ROWS + ") i");
            long committed = System.nanoTime();

            List<Long> heapSamples = new ArrayList<>();
            int received = 0;
            Position last = null;
            long firstEventAt = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (received < ROWS && System.nanoTime() < deadline) {
                List<ChangeEvent> batch = harness.source.poll(1000, Duration.ofMillis(100));
                for (ChangeEvent event : batch) {
                    received++;
                    assertThat(event.after().value("id")).isEqualTo(received);
                    last = event.position();
                    harness.source.acknowledge(last);
                }
                if (firstEventAt == 0 && received > 0) {
                    firstEventAt = System.nanoTime();
                }
                if (!batch.isEmpty() && received % 100_000 < batch.size()) {
                    heapSamples.add(heapAfterGc());
                }
            }
            long done = System.nanoTime();
            assertThat(received).isEqualTo(ROWS);
            assertThat(last.sequence()).isEqualTo(ROWS - 1);
            System.out.printf("LargeTransactionIT: insert %d ms, commit to first event %d ms, commit to last event %d ms (%.0f rows/s "
                    + "after the first), heap after GC: baseline %d MiB, samples %s MiB, spilled transactions %d%n",
                    millis(committed - insertStarted), millis(firstEventAt - committed), millis(done - committed),
                    ROWS / ((done - firstEventAt) / 1e9), baseline >> 20, heapSamples.stream().map(b -> b >> 20).toList(),
                    harness.source.spilledTransactions());
            assertThat(heapSamples).isNotEmpty().allSatisfy(used -> assertThat(used).isLessThan(baseline + (64L << 20)));
            long awaitUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < awaitUntil
                    && (!harness.confirmed().isAfter(last.commitLsn()) || !slotConfirmed().equals(harness.confirmed().toString()))) {
                harness.pollFor(Duration.ofMillis(200));
            }
            assertThat(slotConfirmed()).as("the slot confirmed the transaction's end").isEqualTo(harness.confirmed().toString());
            assertThat(harness.confirmed()).isGreaterThan(last.commitLsn());
        }
    }

    private String slotConfirmed() {
        return db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", capture.slot());
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long millis(long nanos) {
        return Duration.ofNanos(nanos).toMillis();
    }

}
