package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stop in the middle of a transaction, done the way the pipeline does it: poll on (and acknowledge)
 * until {@link PostgresSource#isBetweenTransactions()}, then close. The slot is confirmed past the
 * whole transaction, so nothing is sent again after a restart, and nothing of the next transaction
 * was handed out.
 */
class StopMidTransactionIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void aStopThatPollsUntilBetweenTransactionsLeavesNothingToResend() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        List<ChangeEvent> received = new ArrayList<>();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("INSERT INTO " + table + " SELECT g FROM generate_series(1, 20000) g",
                    "INSERT INTO " + table + " SELECT g FROM generate_series(20001, 20010) g");
            received.addAll(harness.take(1000, Duration.ofSeconds(60)));
            assertThat(harness.source.isBetweenTransactions()).as("1,000 of 20,000 events handed out").isFalse();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!harness.source.isBetweenTransactions()) {
                assertThat(System.nanoTime()).as("the transaction finished within 60 s").isLessThan(deadline);
                List<ChangeEvent> batch = harness.source.poll(1000, Duration.ofMillis(100));
                batch.forEach(e -> harness.source.acknowledge(e.position()));
                received.addAll(batch);
            }
        }
        assertThat(received).as("the first transaction, and nothing of the second").hasSize(20000)
                .extracting(e -> (Integer) e.after().value("id")).isSorted().endsWith(20000);
        Lsn firstCommit = received.get(0).position().commitLsn();
        assertThat(Lsn.parse(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                capture.slot()))).as("confirmed past the first transaction").isGreaterThan(firstCommit);
        try (SourceHarness restarted = SourceHarness.start(settings)) {
            assertThat(restarted.take(10, Duration.ofSeconds(60))).extracting(e -> (Integer) e.after().value("id")).startsWith(20001)
                    .hasSize(10);
        }
    }
}
