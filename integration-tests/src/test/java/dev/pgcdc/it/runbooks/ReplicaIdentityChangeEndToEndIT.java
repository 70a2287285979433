package dev.pgcdc.it.runbooks;

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
 * The runbook "A replica identity change" of docs/operations.md, followed against the packaged service:
 * {@code ALTER TABLE ... REPLICA IDENTITY} while pgcdc streams takes effect for the changes written after
 * it, with no restart: under DEFAULT an update has no {@code before} and a delete's {@code before} is the
 * key, under FULL both carry the whole old row. A table configured with {@code replica-identity} gets
 * that identity back at the next start, whatever a DBA set meanwhile, and the start log says so.
 */
@TestEnvironment
class ReplicaIdentityChangeEndToEndIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("identity");

    @Test
    void theIdentityInForceAtEachChangeDecidesItsBefore(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, name text, qty integer)");
        String topic = service.topic();
        TopicReader reader = TopicReader.of(kafka);
        List<ChangeRecord> records;
        try (PgcdcProcess streaming = service.start("streaming")) {
            postgres.execute("INSERT INTO " + table + " VALUES (1, 'ada', 1), (2, 'bob', 2), (3, 'cy', 3)",
                    "UPDATE " + table + " SET qty = 10 WHERE id = 1", "DELETE FROM " + table + " WHERE id = 2");
            reader.awaitAtLeast(topic, 5, WAIT);

            postgres.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "UPDATE " + table + " SET qty = 11 WHERE id = 1", "DELETE FROM " + table + " WHERE id = 3");
            reader.awaitAtLeast(topic, 7, WAIT);

            postgres.execute("ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT", "UPDATE " + table + " SET qty = 12 WHERE id = 1");
            records = reader.awaitAtLeast(topic, 8, WAIT);
            assertThat(streaming.isAlive()).as("no restart\n%s", streaming.tail()).isTrue();
            streaming.stopGracefully(WAIT);
        }
        // DEFAULT: an update that keeps its key has no before, a delete's before is the key
        assertThat(records.get(3).op()).isEqualTo("u");
        assertThat(isAbsent(records.get(3).before())).as("before of an update under DEFAULT: %s", records.get(3).before()).isTrue();
        assertThat(records.get(4).op()).isEqualTo("d");
        assertThat(fields(records.get(4).before())).containsExactly("id");
        // FULL: the whole old row in both
        assertThat(records.get(5).op()).isEqualTo("u");
        assertThat(records.get(5).before().toString()).isEqualTo("{\"id\":1,\"name\":\"ada\",\"qty\":10}");
        assertThat(records.get(6).op()).isEqualTo("d");
        assertThat(records.get(6).before().toString()).isEqualTo("{\"id\":3,\"name\":\"cy\",\"qty\":3}");
        // back to DEFAULT
        assertThat(isAbsent(records.get(7).before())).as("before after going back to DEFAULT: %s", records.get(7).before()).isTrue();

        // configured as FULL: the next start sets it again, and says so
        service.config().table(table, "FULL", topic);
        try (PgcdcProcess configured = service.start("configured")) {
            assertThat(configured.awaitLogLine("replica identity in use", WAIT)).contains("FULL (configured; was DEFAULT)");
            postgres.execute("UPDATE " + table + " SET qty = 13 WHERE id = 1");
            records = reader.awaitAtLeast(topic, 9, WAIT);
            assertThat(records.get(8).before().toString()).isEqualTo("{\"id\":1,\"name\":\"ada\",\"qty\":12}");
            configured.stopGracefully(WAIT);
        }
    }

    private static boolean isAbsent(JsonNode row) {
        return row == null || row.isNull();
    }

    private static List<String> fields(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
