package dev.pgcdc.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Embedding example 1 (docs/embedding.md): cdc-api + cdc-postgres-source + a sink of one's own, in
 * plain Java: no Guice, no HOCON.
 */
@TestEnvironment
class PostgresToFileExampleIT {

    @Test
    void streamsChangesIntoAFileAndConfirmsTheSlotOnlyForWrittenLines(PostgresDatabase postgres, @TempDir Path dir) throws Exception {
        String table = TestNames.unique("accounts");
        String slot = TestNames.unique("file_example");
        postgres.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, owner text, balance numeric)");
        Path file = dir.resolve("changes.txt");

        // --- user code, as in docs/embedding.md ---
        PostgresSourceSettings settings = PostgresSourceSettings.builder()
                .host(postgres.host()).port(postgres.port()).database(postgres.database())
                .user(postgres.user()).password(postgres.password())
                .publicationName(slot + "_pub").publicationCreateIfNotExists(true)
                .tables("public." + table)
                .slotName(slot).slotCreateIfNotExists(true)
                .build();
        ChangeHandler toLine = event -> List.of(OutRecord.of(null,
                (event.operation() + " " + event.table() + " " + event.identifyingRow().asMap()).getBytes(StandardCharsets.UTF_8)));
        Pipeline pipeline = new Pipeline("file-example", new PostgresSource(settings), toLine, new FileSink(file));
        pipeline.start();
        // --- end of user code ---

        try {
            postgres.execute(
                    "INSERT INTO " + table + " VALUES (1, 'ada', 10.50), (2, 'grace', 20)",
                    "UPDATE " + table + " SET balance = 11 WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 2");
            Lsn afterWrites = Lsn.parse(postgres.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(file) && Files.readAllLines(file).size() == 4);
            assertThat(Files.readAllLines(file)).containsExactly(
                    "INSERT public." + table + " {id=1, owner=ada, balance=10.50}",
                    "INSERT public." + table + " {id=2, owner=grace, balance=20}",
                    "UPDATE public." + table + " {id=1, owner=ada, balance=11}",
                    "DELETE public." + table + " {id=2}");

            // the slot is confirmed up to the last written change (status updates go out every second)
            await().atMost(Duration.ofSeconds(30)).until(() -> !confirmedFlushLsn(postgres, slot).isBefore(afterWrites));
        } finally {
            pipeline.stop();
            postgres.dropReplicationSlotIfExists(slot);
        }
        assertThat(pipeline.failure()).isEmpty();
    }

    private static Lsn confirmedFlushLsn(PostgresDatabase postgres, String slot) {
        String text = postgres.queryValue(String.class,
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", slot);
        return text == null ? Lsn.INVALID : Lsn.parse(text);
    }
}
