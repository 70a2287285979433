package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streamed transactions (protocol 2+): the source connects as a role whose
 * logical_decoding_work_mem is the minimum (64kB), so PostgreSQL streams every transaction bigger
 * than that while it is still running.
 */
class StreamingIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String role = capture.role("streamer");

    @BeforeEach
    void createRoleThatStreamsEarly() {
        assumeThat(db.serverMajorVersion()).as("streaming needs PostgreSQL 14").isGreaterThanOrEqualTo(14);
        db.execute("CREATE ROLE " + role + " LOGIN REPLICATION SUPERUSER", "ALTER ROLE " + role + " SET logical_decoding_work_mem = '64kB'",
                "CREATE TABLE " + table + " (id int PRIMARY KEY, payload text)");
    }

    private PostgresSourceSettings settings(long streamBufferMemory) {
        return SourceHarness.settings(capture).user(role).tables(table).streamBufferMemory(streamBufferMemory).build();
    }

    @Test
    void emitsAStreamedTransactionOnlyWhenItCommitsSpillingPastTheMemoryBound() throws Exception {
        try (SourceHarness harness = SourceHarness.start(settings(64 * 1024)); Connection writer = db.connect()) {
            writer.setAutoCommit(false);
            try (Statement statement = writer.createStatement()) {
                statement.execute("INSERT INTO " + table + " SELECT i, repeat('p', 100) FROM generate_series(1, 20000) i");
            }
            assertThat(harness.pollFor(Duration.ofSeconds(2))).as("nothing before the commit").isEmpty();
            assertThat(streamedTransactions()).as("PostgreSQL streamed it").isPositive();
            writer.commit();
            List<ChangeEvent> events = harness.take(20000, Duration.ofSeconds(60));
            assertThat(events).extracting(e -> e.after().value("id")).containsExactlyElementsOf(IntStream.rangeClosed(1, 20000).boxed().toList());
            assertThat(events.get(19999).position().sequence()).isEqualTo(19999);
            assertThat(harness.source.spilledTransactions()).isPositive();
            assertThat(harness.source.streamBufferMemoryUsed()).isZero();
        }
    }

    @Test
    void dropsAbortedStreamedTransactionsAndRolledBackSavepointsOnly() throws Exception {
        try (SourceHarness harness = SourceHarness.start(settings(32L << 20)); Connection writer = db.connect()) {
            writer.setAutoCommit(false);
            try (Statement statement = writer.createStatement()) {
                statement.execute("INSERT INTO " + table + " SELECT i, repeat('a', 100) FROM generate_series(1, 5000) i");
                statement.execute("SAVEPOINT s1");
                statement.execute("INSERT INTO " + table + " SELECT i, repeat('b', 100) FROM generate_series(5001, 10000) i");
                statement.execute("ROLLBACK TO SAVEPOINT s1");
                statement.execute("INSERT INTO " + table + " SELECT i, repeat('c', 100) FROM generate_series(10001, 15000) i");
                writer.commit();
                statement.execute("INSERT INTO " + table + " SELECT i, repeat('d', 100) FROM generate_series(20001, 40000) i");
                writer.rollback();
                statement.execute("INSERT INTO " + table + " VALUES (99999, 'marker')");
                writer.commit();
            }
            List<ChangeEvent> events = harness.take(10001, Duration.ofSeconds(60));
            List<Integer> expected = IntStream.concat(IntStream.concat(IntStream.rangeClosed(1, 5000), IntStream.rangeClosed(10001, 15000)),
                    IntStream.of(99999)).boxed().toList();
            assertThat(events).extracting(e -> e.after().value("id")).containsExactlyElementsOf(expected);
            assertThat(harness.pollFor(Duration.ofMillis(500))).isEmpty();
            assertThat(streamedTransactions()).as("PostgreSQL streamed them").isPositive();
        }
    }

    private long streamedTransactions() {
        Long count = db.queryValue(Long.class, "SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = ?", capture.slot());
        return count == null ? 0 : count;
    }
}
