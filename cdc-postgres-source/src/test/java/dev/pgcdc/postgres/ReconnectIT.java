package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The walsender is terminated mid-stream: the source reconnects and resumes without loss or repetition. */
class ReconnectIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void resumesWithoutLossAfterTheWalsenderIsTerminatedMidStream() throws Exception {
        int transactions = 100;
        int rowsPerTransaction = 1500;
        int total = transactions * rowsPerTransaction;
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, payload text)");
        // one of the transactions is large enough to be streamed (logical_decoding_work_mem is 64MB by default: 80k rows of ~900 bytes)
        int large = 80_000;
        try (SourceHarness harness = new SourceHarness(SourceHarness.settings(capture).tables(table).build(), false)) {
            CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
                for (int t = 0; t < transactions; t++) {
                    int first = t * rowsPerTransaction + 1;
                    db.execute("INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(" + first + ", "
                            + (first + rowsPerTransaction - 1) + ") g");
                    if (t == transactions / 2) {
                        db.execute("INSERT INTO " + table + " SELECT g, repeat(md5(g::text), 28) FROM generate_series(" + (total + 1) + ", "
                                + (total + large) + ") g");
                    }
                }
            });
            BitSet seen = new BitSet();
            int received = 0;
            int duplicates = 0;
            int terminations = 0;
            Position last = null;
            // acknowledge with a lag, so unacknowledged events are in flight whenever the connection breaks
            ArrayDeque<Position> unacknowledged = new ArrayDeque<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (received < total + large && System.nanoTime() < deadline) {
                List<ChangeEvent> batch = harness.source.poll(1000, Duration.ofMillis(100));
                for (ChangeEvent event : batch) {
                    int id = (Integer) event.after().value("id");
                    if (seen.get(id)) {
                        duplicates++;
                    }
                    seen.set(id);
                    received++;
                    assertThat(last == null || event.position().isAfter(last)).as("positions strictly increase").isTrue();
                    last = event.position();
                    unacknowledged.add(last);
                }
                while (unacknowledged.size() > 5000) {
                    harness.source.acknowledge(unacknowledged.poll());
                }
                if (received > (terminations + 1) * 40_000 && terminations < 3 && !db.query("SELECT pg_terminate_backend(active_pid) "
                        + "FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL", capture.slot()).isEmpty()) {
                    terminations++;
                }
            }
            writes.get();
            assertThat(duplicates).isZero();
            assertThat(received).isEqualTo(total + large);
            assertThat(seen.cardinality()).isEqualTo(total + large);
            assertThat(harness.source.reconnects()).isEqualTo(terminations).isEqualTo(3);
            unacknowledged.forEach(harness.source::acknowledge);
            assertThat(harness.pollFor(Duration.ofMillis(500))).isEmpty();
            assertThat(harness.confirmed()).isGreaterThan(last.commitLsn());
        }
    }
}
