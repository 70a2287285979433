package dev.pgcdc.it.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runbook "ALTER TABLE on a captured table while streaming" (docs/operations.md): each DDL runs
 * while the packaged service streams the table, and the events after it carry the table's new shape
 * (PostgreSQL sends the new relation before the first change that uses it), without a restart and
 * without losing or repeating a row.
 */
@TestEnvironment
class AlterTableWhileStreamingEndToEndIT {

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("altered");

    @Test
    void eventsAfterAddDropRenameAndTypeChangeHaveTheNewShape(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text, qty integer)");
        String topic = service.topic();
        TopicReader reader = TopicReader.of(kafka);
        List<ChangeRecord> records;
        try (PgcdcProcess pgcdc = service.start("service")) {
            postgres.execute("INSERT INTO " + table + " VALUES (1, 'ada', 7)");
            records = reader.awaitAtLeast(topic, 1, Duration.ofSeconds(60));

            postgres.execute("ALTER TABLE " + table + " ADD COLUMN note text DEFAULT 'n/a'",
                    "INSERT INTO " + table + " (id, name, qty) VALUES (2, 'bob', 8)",
                    "UPDATE " + table + " SET qty = 70 WHERE id = 1");
            records = reader.awaitAtLeast(topic, 3, Duration.ofSeconds(60));

            postgres.execute("ALTER TABLE " + table + " RENAME COLUMN name TO title",
                    "INSERT INTO " + table + " (id, title, qty) VALUES (3, 'cy', 9)");
            records = reader.awaitAtLeast(topic, 4, Duration.ofSeconds(60));

            postgres.execute("ALTER TABLE " + table + " ALTER COLUMN qty TYPE text USING qty::text",
                    "INSERT INTO " + table + " (id, title, qty) VALUES (4, 'di', 'ten')");
            records = reader.awaitAtLeast(topic, 5, Duration.ofSeconds(60));

            postgres.execute("ALTER TABLE " + table + " DROP COLUMN note",
                    "INSERT INTO " + table + " (id, title, qty) VALUES (5, 'ed', '11')",
                    "DELETE FROM " + table + " WHERE id = 2");
            records = reader.awaitAtLeast(topic, 7, Duration.ofSeconds(60));
            pgcdc.stopGracefully(Duration.ofSeconds(60));
        }

        assertThat(records).hasSize(7);
        JsonNode first = records.get(0).after();
        assertThat(names(first)).containsExactly("id", "name", "qty");
        assertThat(first.get("qty").isNumber()).as("qty before the type change: %s", first).isTrue();

        // ADD COLUMN: the new column in the rows after it, with its default for the rows it backfilled
        JsonNode added = records.get(1).after();
        assertThat(names(added)).containsExactly("id", "name", "qty", "note");
        assertThat(added.get("note").asText()).isEqualTo("n/a");
        assertThat(names(records.get(2).after())).containsExactly("id", "name", "qty", "note");
        assertThat(records.get(2).after().get("note").asText()).isEqualTo("n/a");

        // RENAME COLUMN: the field is named anew, the value is the same column's
        JsonNode renamed = records.get(3).after();
        assertThat(names(renamed)).containsExactly("id", "title", "qty", "note");
        assertThat(renamed.get("title").asText()).isEqualTo("cy");

        // ALTER COLUMN ... TYPE: the value in the new type's encoding (integer was a number, text is a string)
        JsonNode retyped = records.get(4).after();
        assertThat(retyped.get("qty").isTextual()).as("qty after the type change: %s", retyped).isTrue();
        assertThat(retyped.get("qty").asText()).isEqualTo("ten");

        // DROP COLUMN: gone from the rows after it, also from a delete's before (the key only, by default)
        JsonNode dropped = records.get(5).after();
        assertThat(names(dropped)).containsExactly("id", "title", "qty");
        assertThat(records.get(6).op()).isEqualTo("d");
        assertThat(records.get(6).before().get("id").asInt()).isEqualTo(2);
        assertThat(records.get(6).before().has("note")).isFalse();
    }

    private static List<String> names(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
