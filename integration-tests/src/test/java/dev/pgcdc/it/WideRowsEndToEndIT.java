package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Wide rows through the service as the launcher starts it (its 64 MB heap, docs/operations.md,
 * "Sizing"), 3,000 rows of 32 KB, about 96 MB of values:
 * <ul>
 *   <li>streamed in one transaction, which PostgreSQL streams while it is open and the service spills,
 *       then replays. The source's hand-off is bounded by the events' bytes as well as their count: by
 *       count alone its 2,048 events would be 64 MB of rows;</li>
 *   <li>read by a {@code snapshot_only} snapshot. A chunk's cursor fetches few rows of a table whose width it
 *       does not know yet (1,000 would be 32 MB), and the hand-off from the reading thread is bounded by the
 *       rows' bytes too (1,792 rows would be 59 MB).</li>
 * </ul>
 * Without either bound the service ends with an OutOfMemoryError instead of delivering the rows.
 */
@TestEnvironment
class WideRowsEndToEndIT {

    private static final int ROWS = 3000;
    private static final int WIDTH = 32 * 1024;

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("wide");

    @Test
    void rowsOf32KbInOneTransactionArriveWholeWithTheLaunchersHeap(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, body text)");
        try (PgcdcProcess pgcdc = service.startWithLauncherDefaults("service")) {
            // md5 of the id repeated: 32 KB per row that PostgreSQL compresses in the table but sends whole
            postgres.execute("INSERT INTO " + table + " SELECT i, repeat(md5(i::text), " + WIDTH / 32 + ") FROM generate_series(1, "
                    + ROWS + ") i");

            List<ChangeRecord> records;
            try {
                records = TopicReader.of(kafka).awaitAtLeast(service.topic(), ROWS, Duration.ofSeconds(120));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the service:\n" + pgcdc.tail(), e);
            }
            assertThat(pgcdc.isAlive()).as("the service still runs\n%s", pgcdc.tail()).isTrue();
            assertThat(records).extracting(record -> record.after().get("id").asInt()).doesNotHaveDuplicates().hasSize(ROWS);
            assertThat(records).allSatisfy(record -> assertThat(record.after().get("body").asText()).hasSize(WIDTH));
        }
    }

    @Test
    void aSnapshotOfRowsOf32KbArrivesWholeWithTheLaunchersHeap(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = service.table();
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY, body text)",
                "INSERT INTO " + table + " SELECT i, repeat(md5(i::text), " + WIDTH / 32 + ") FROM generate_series(1, " + ROWS + ") i");
        // a job of its own: a completed job of the same id (the default one, of another test) is not taken again
        Path config = service.config().with("pgcdc.snapshot { mode = snapshot_only, id = \"" + TestNames.unique("wide") + "\", tables = [\"public."
                + table + "\"] }").writeTo(service.directory());
        try (PgcdcProcess pgcdc = PgcdcProcess.runWithLauncherDefaults(config, service.directory(), "snapshot")) {
            assertThat(pgcdc.awaitExit(Duration.ofSeconds(120))).as("exit code\n%s", pgcdc.tail()).isZero();
        }
        List<ChangeRecord> records = TopicReader.of(kafka).readAll(service.topic());
        assertThat(records).extracting(record -> record.after().get("id").asInt()).doesNotHaveDuplicates().hasSize(ROWS);
        assertThat(records).allSatisfy(record -> assertThat(record.after().get("body").asText()).hasSize(WIDTH));
    }
}
