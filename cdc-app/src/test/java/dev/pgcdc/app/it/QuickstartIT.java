package dev.pgcdc.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.process.PgcdcJvm;
import dev.pgcdc.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code pgcdc quickstart} as a user runs it, with its own embedded PostgreSQL and Kafka. */
class QuickstartIT {

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service logs
    Path directory;

    @Test
    void printsTheDemoChangesAsKafkaRecordsAndStopsCleanlyOnSigterm() throws Exception {
        try (ChildJvm quickstart = PgcdcJvm.start(directory, "quickstart", List.of(), "quickstart", "--http-port", "0")) {
            quickstart.awaitOutput("press Ctrl-C to stop.", Duration.ofSeconds(180));
            String output = quickstart.output();
            assertThat(output).contains("[quickstart] pgcdc is streaming. Metrics: http://localhost:", "/metrics");
            List<String> records = output.lines().filter(line -> line.startsWith("[kafka] pgcdc.demo.customers@")).toList();
            assertThat(records).hasSize(5);
            assertThat(records.get(0)).contains("key={\"id\":1}", "\"op\":\"c\"", "Ada Lovelace");
            assertThat(records.get(3)).contains("key={\"id\":2}", "\"op\":\"u\"", "grace.hopper@example.com");
            assertThat(records.get(4)).contains("key={\"id\":3}", "\"op\":\"d\"");

            quickstart.sigterm();
            assertThat(quickstart.awaitExit(Duration.ofSeconds(60))).as("exit status; output:\n%s", quickstart.tail()).isZero();
            assertThat(quickstart.output()).contains("[quickstart] stopped.").doesNotContain("ERROR", "Exception");
        }
    }

    @Test
    void exitWhenDoneEndsByItselfOnceTheRecordsArrived() throws Exception {
        try (ChildJvm quickstart = PgcdcJvm.start(directory, "quickstart-once", List.of(), "quickstart", "--http-port", "0",
                "--exit-when-done")) {
            assertThat(quickstart.awaitExit(Duration.ofSeconds(180))).as("exit status; output:\n%s", quickstart.tail()).isZero();
            assertThat(quickstart.output()).contains("[quickstart] done.");
        }
    }
}
