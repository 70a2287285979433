package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.event.TruncateOptions;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each operation and message type against a real PostgreSQL, with positions, TOAST and schema changes. */
class ChangeStreamIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("items");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    @Test
    void streamsEachOperationWithPositionsInCommitOrder() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text, qty int)");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            assertThat(harness.source.protocolVersion()).isEqualTo(expectedProtocol());
            Instant before = Instant.now().minusSeconds(5);
            db.execute("INSERT INTO " + table + " VALUES (1, 'one', 10), (2, 'two', 20)",
                    "UPDATE " + table + " SET qty = 11 WHERE id = 1",
                    "UPDATE " + table + " SET id = 3 WHERE id = 2",
                    "DELETE FROM " + table + " WHERE id = 1",
                    "SELECT pg_logical_emit_message(true, 'audit', 'hello')",
                    "SELECT pg_logical_emit_message(false, 'beacon', 'now')",
                    "TRUNCATE " + table + " RESTART IDENTITY CASCADE");
            List<ChangeEvent> events = harness.take(9, Duration.ofSeconds(20));
            assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.INSERT, Operation.INSERT, Operation.UPDATE,
                    Operation.DELETE, Operation.INSERT, Operation.DELETE, Operation.MESSAGE, Operation.MESSAGE, Operation.TRUNCATE);
            TableId id = new TableId("public", table);
            assertThat(events.get(0).table()).isEqualTo(id);
            assertThat(events.get(0).after().asMap()).isEqualTo(Map.of("id", 1, "name", "one", "qty", 10));
            assertThat(events.get(0).keyColumns()).containsExactly("id");
            assertThat(events.get(0).commitTime()).isAfter(before).isBefore(Instant.now().plusSeconds(5));
            assertThat(events.get(2).before()).isNull();
            assertThat(events.get(2).after().asMap()).containsEntry("qty", 11);
            assertThat(events.get(3).before().asMap()).as("the key change: a delete of the old key").isEqualTo(Map.of("id", 2));
            assertThat(events.get(4).after().asMap()).as("and a create of the new row").containsEntry("id", 3);
            assertThat(events.get(5).before().asMap()).isEqualTo(Map.of("id", 1));
            assertThat(events.get(6).message().prefix()).isEqualTo("audit");
            assertThat(events.get(6).message().transactional()).isTrue();
            assertThat(new String(events.get(6).message().content(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(events.get(7).message().transactional()).isFalse();
            assertThat(events.get(7).position()).isEqualTo(new Position(Lsn.of(events.get(7).lsn().value() - 1), 0));
            assertThat(events.get(8).truncateOptions()).isEqualTo(new TruncateOptions(true, true));
            assertThat(events.get(0).position()).isEqualTo(new Position(events.get(0).commitLsn(), 0));
            assertThat(events.get(1).position()).isEqualTo(new Position(events.get(0).commitLsn(), 1));
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).position()).isGreaterThan(events.get(i - 1).position());
            }
            assertThat(events).filteredOn(e -> e.message() == null || e.message().transactional())
                    .allSatisfy(e -> assertThat(e.transactionId()).isPositive());
        }
    }

    @Test
    void positionsANonTransactionalMessageOfATransactionBelowItsCommitTheSameAfterARestart() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        List<Position> positions;
        try (SourceHarness harness = new SourceHarness(settings, false)) {
            try (java.sql.Connection session = db.connect(); java.sql.Statement statement = session.createStatement()) {
                statement.execute("BEGIN");
                statement.execute("INSERT INTO " + table + " VALUES (1)");
                statement.execute("SELECT pg_logical_emit_message(false, 'p', 'x')");
                statement.execute("COMMIT");
            }
            db.execute("INSERT INTO " + table + " VALUES (2)", "INSERT INTO " + table + " VALUES (3)");
            List<ChangeEvent> events = harness.take(4, Duration.ofSeconds(30));
            assertThat(events).extracting(ChangeEvent::operation).as("the message is sent when decoded, before its transaction's commit")
                    .containsExactly(Operation.MESSAGE, Operation.INSERT, Operation.INSERT, Operation.INSERT);
            assertThat(events.get(0).lsn()).as("the message ends where the commit record of its transaction starts (or before)")
                    .isLessThanOrEqualTo(events.get(1).commitLsn());
            positions = events.stream().map(ChangeEvent::position).toList();
            assertThat(positions).isSorted().doesNotHaveDuplicates();
        }
        try (SourceHarness harness = SourceHarness.start(settings)) {
            List<ChangeEvent> events = harness.take(4, Duration.ofSeconds(30));
            assertThat(events).as("replayed after a restart: the same positions").extracting(ChangeEvent::position)
                    .containsExactlyElementsOf(positions);
            db.execute("INSERT INTO " + table + " VALUES (4)");
            assertThat(harness.take(1, Duration.ofSeconds(30))).extracting(e -> e.after().value("id")).containsExactly(4);
        }
    }

    @Test
    void streamsTheWholeOldRowWithFullReplicaIdentity() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text, qty int)", "INSERT INTO " + table + " VALUES (1, 'one', 10)");
        PostgresSourceSettings settings = SourceHarness.settings(capture)
                .tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.FULL))).build();
        try (SourceHarness harness = SourceHarness.start(settings)) {
            db.execute("UPDATE " + table + " SET qty = 12 WHERE id = 1", "DELETE FROM " + table);
            List<ChangeEvent> events = harness.take(2, Duration.ofSeconds(20));
            assertThat(events.get(0).before().asMap()).isEqualTo(Map.of("id", 1, "name", "one", "qty", 10));
            assertThat(events).as("keyed by the primary key, not the whole row").extracting(ChangeEvent::keyColumns)
                    .containsOnly(List.of("id"));
            assertThat(events.get(0).after().asMap()).isEqualTo(Map.of("id", 1, "name", "one", "qty", 12));
            assertThat(events.get(1).before().asMap()).isEqualTo(Map.of("id", 1, "name", "one", "qty", 12));
        }
    }

    @Test
    void marksAnUnchangedOneMegabyteToastValueAsUnchangedNotNull() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, big text, note text, n int)");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            db.execute("INSERT INTO " + table + " SELECT 1, string_agg(md5(i::text || random()::text), ''), NULL, 0 "
                    + "FROM generate_series(1, 32768) i");
            db.execute("UPDATE " + table + " SET n = 1", "UPDATE " + table + " SET note = 'x', n = 2");
            List<ChangeEvent> events = harness.take(3, Duration.ofSeconds(30));
            String big = (String) events.get(0).after().value("big");
            assertThat(big).hasSize(1_048_576);
            assertThat(db.queryValue(String.class, "SELECT md5(big) FROM " + table)).isEqualTo(md5(big));
            assertThat(events.get(1).after().value("big")).isSameAs(UnchangedToast.INSTANCE);
            assertThat(events.get(1).after().value("note")).isNull();
            assertThat(events.get(2).after().value("big")).isSameAs(UnchangedToast.INSTANCE);
            assertThat(events.get(2).after().value("note")).isEqualTo("x");
        }
    }

    @Test
    void followsSchemaChangesMidStream() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text)");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'a')",
                    "ALTER TABLE " + table + " ADD COLUMN added timestamptz DEFAULT '2024-01-01 00:00:00+00'",
                    "INSERT INTO " + table + " VALUES (2, 'b')",
                    "ALTER TABLE " + table + " RENAME COLUMN name TO label",
                    "INSERT INTO " + table + " VALUES (3, 'c')",
                    "ALTER TABLE " + table + " ALTER COLUMN id TYPE bigint",
                    "INSERT INTO " + table + " VALUES (4, 'd')",
                    "ALTER TABLE " + table + " DROP COLUMN added",
                    "INSERT INTO " + table + " VALUES (5, 'e')");
            List<ChangeEvent> events = harness.take(5, Duration.ofSeconds(20));
            assertThat(events.get(0).after().asMap()).isEqualTo(Map.of("id", 1, "name", "a"));
            assertThat(events.get(1).after().asMap()).isEqualTo(Map.of("id", 2, "name", "b", "added", Instant.parse("2024-01-01T00:00:00Z")));
            assertThat(events.get(2).after().asMap()).containsOnlyKeys("id", "label", "added");
            assertThat(events.get(3).after().value("id")).isEqualTo(4L);
            assertThat(events.get(3).after().columns()).extracting(Column::typeName).containsExactly("int8", "text", "timestamptz");
            assertThat(events.get(4).after().asMap()).isEqualTo(Map.of("id", 5L, "label", "e"));
        }
    }

    @Test
    void decodesTransactionsThatCarryAReplicationOrigin() throws Exception {
        String origin = TestNames.unique("origin");
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "SELECT pg_replication_origin_create('" + origin + "')");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build());
                java.sql.Connection session = db.connect(); java.sql.Statement statement = session.createStatement()) {
            statement.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
            statement.execute("BEGIN");
            statement.execute("SELECT pg_replication_origin_xact_setup('0/ABCDEF', now())");
            statement.execute("INSERT INTO " + table + " VALUES (1)");
            statement.execute("COMMIT");
            statement.execute("SELECT pg_replication_origin_session_reset()");
            db.execute("INSERT INTO " + table + " VALUES (2)");
            assertThat(harness.take(2, Duration.ofSeconds(20))).extracting(e -> e.after().value("id")).containsExactly(1, 2);
        } finally {
            db.execute("SELECT pg_replication_origin_drop('" + origin + "')");
        }
    }

    @Test
    void resumesAfterARestartWithTheUnacknowledgedTail() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)");
        PostgresSourceSettings settings = SourceHarness.settings(capture).tables(table).build();
        Lsn confirmed;
        try (SourceHarness harness = new SourceHarness(settings, false)) {
            for (int i = 1; i <= 10; i++) {
                db.execute("INSERT INTO " + table + " VALUES (" + i + ")");
            }
            List<ChangeEvent> events = harness.take(10, Duration.ofSeconds(20));
            for (int i = 0; i < 6; i++) {
                harness.source.acknowledge(events.get(i).position());
            }
            confirmed = harness.confirmed();
        }
        assertThat(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", capture.slot()))
                .as("the final status update on close").isEqualTo(confirmed.toString());
        try (SourceHarness harness = SourceHarness.start(settings)) {
            List<ChangeEvent> events = harness.take(4, Duration.ofSeconds(20));
            assertThat(events).extracting(e -> e.after().value("id")).containsExactly(7, 8, 9, 10);
            assertThat(harness.pollFor(Duration.ofMillis(300))).isEmpty();
        }
    }

    @Test
    void closesPromptlyAndConfirmsWhatWasAcknowledgedWhileTheServerIsStillSending() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, payload text)");
        SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build());
        db.execute("INSERT INTO " + table + " SELECT g, md5(g::text) FROM generate_series(1, 300000) g");
        harness.take(5000, Duration.ofSeconds(30));
        Lsn confirmedBeforeClose = harness.confirmed();
        long started = System.nanoTime();
        harness.close();
        long closeMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.println("ChangeStreamIT: close while the server was sending took " + closeMillis + " ms");
        // prompt: it does not read the rest of the 300,000-row transaction first; bounded for a loaded 2-core machine
        assertThat(closeMillis).isLessThan(15_000);
        assertThat(Lsn.parse(db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                capture.slot()))).isEqualTo(harness.confirmed()).isGreaterThanOrEqualTo(confirmedBeforeClose);
    }

    private int expectedProtocol() {
        int major = db.serverMajorVersion();
        return major >= 16 ? 4 : major == 15 ? 3 : major == 14 ? 2 : 1;
    }

    private static String md5(String text) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest);
    }
}
