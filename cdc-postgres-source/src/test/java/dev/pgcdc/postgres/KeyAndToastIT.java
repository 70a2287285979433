package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.postgres.pgoutput.KeyChange;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Updates as a keyed, compacted topic needs them: a key change removes the old key, and FULL identity never leaves a TOAST placeholder. */
class KeyAndToastIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("accounts");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String fullTable = capture.table("accounts_full");

    private PostgresSourceSettings.Builder settings() {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, name text)", "CREATE TABLE " + fullTable + " (id int PRIMARY KEY, name text)");
        return SourceHarness.settings(capture).tables(List.of(TableSettings.of(new TableId("public", table), ReplicaIdentity.DEFAULT),
                TableSettings.of(new TableId("public", fullTable), ReplicaIdentity.FULL)));
    }

    @Test
    void emitsADeleteOfTheOldKeyThenACreateOfTheNewWhenAnUpdateChangesTheKey() throws Exception {
        try (SourceHarness harness = SourceHarness.start(settings().build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'a')", "INSERT INTO " + fullTable + " VALUES (1, 'a')",
                    "UPDATE " + table + " SET id = 2 WHERE id = 1", "UPDATE " + fullTable + " SET id = 2 WHERE id = 1",
                    "UPDATE " + table + " SET name = 'b'", "UPDATE " + fullTable + " SET name = 'b'");
            List<ChangeEvent> events = harness.take(8, Duration.ofSeconds(30));

            assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.INSERT, Operation.INSERT,
                    Operation.DELETE, Operation.INSERT, Operation.DELETE, Operation.INSERT, Operation.UPDATE, Operation.UPDATE);
            assertThat(events.get(2).before().asMap()).as("DEFAULT identity: the old key").isEqualTo(Map.of("id", 1));
            assertThat(events.get(3).after().asMap()).isEqualTo(Map.of("id", 2, "name", "a"));
            assertThat(events.get(4).before().asMap()).as("FULL identity: the whole old row").isEqualTo(Map.of("id", 1, "name", "a"));
            assertThat(events.get(5).after().asMap()).isEqualTo(Map.of("id", 2, "name", "a"));
            assertThat(events).extracting(ChangeEvent::keyColumns).containsOnly(List.of("id"));
            assertThat(events.get(3).position()).as("one after the other in the update's transaction")
                    .isEqualTo(new dev.pgcdc.api.position.Position(events.get(2).commitLsn(), 1));
            assertThat(events.get(3).commitLsn()).isEqualTo(events.get(2).commitLsn());
        }
    }

    @Test
    void keepsOneUpdateForAKeyChangeWithKeyChangeUpdate() throws Exception {
        try (SourceHarness harness = SourceHarness.start(settings().keyChange(KeyChange.UPDATE).build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'a')", "UPDATE " + table + " SET id = 2 WHERE id = 1");
            List<ChangeEvent> events = harness.take(2, Duration.ofSeconds(30));

            assertThat(events).extracting(ChangeEvent::operation).containsExactly(Operation.INSERT, Operation.UPDATE);
            assertThat(events.get(1).before().asMap()).isEqualTo(Map.of("id", 1));
            assertThat(events.get(1).after().asMap()).isEqualTo(Map.of("id", 2, "name", "a"));
        }
    }

    @Test
    void fillsAnUnchangedToastValueFromTheOldRowWithFullIdentity() throws Exception {
        try (SourceHarness harness = SourceHarness.start(settings().build())) {
            // md5 hex does not compress: 32 kB are stored out of line (TOAST)
            String insert = " SELECT 1, string_agg(md5(i::text || random()::text), '') FROM generate_series(1, 1000) i";
            db.execute("INSERT INTO " + table + insert, "INSERT INTO " + fullTable + insert);
            db.execute("ALTER TABLE " + table + " ADD COLUMN n int", "ALTER TABLE " + fullTable + " ADD COLUMN n int");
            db.execute("UPDATE " + table + " SET n = 1", "UPDATE " + fullTable + " SET n = 1");
            List<ChangeEvent> events = harness.take(4, Duration.ofSeconds(30));

            String big = db.queryValue(String.class, "SELECT name FROM " + fullTable);
            assertThat(big).hasSize(32_000);
            assertThat(events.get(2).after().value("name")).as("DEFAULT identity: PostgreSQL sends no old value, the placeholder stays")
                    .isSameAs(UnchangedToast.INSTANCE);
            assertThat(events.get(3).before().value("name")).isEqualTo(big);
            assertThat(events.get(3).after().value("name")).as("FULL identity: taken from the old row").isEqualTo(big);
            assertThat(events.get(3).after().value("n")).isEqualTo(1);
        }
    }
}
