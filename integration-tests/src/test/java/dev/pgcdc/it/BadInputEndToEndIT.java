package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.PgcdcProcess.Outcome;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees after a mistake: the service exits with a non-zero code (3 for an invalid
 * configuration, 1 when it cannot start) and one line on standard error that names the key, table,
 * publication or slot at fault and says what to do, never a stack trace. {@code validate} checks a
 * file without connecting anywhere and says so in its exit code.
 */
@TestEnvironment
class BadInputEndToEndIT {

    private static final Duration EXIT_WITHIN = Duration.ofSeconds(60);
    private static final int FAILED = 1;
    private static final int USAGE = 2;
    private static final int INVALID_CONFIGURATION = 3;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's output
    Path directory;

    @Test
    void aBadValueEndsRunWithOneLineNamingTheKeyTheValueAndWhatIsAllowed(PostgresDatabase postgres, KafkaCluster kafka) {
        Path file = captureOneTable(postgres, kafka).with("pgcdc.kafka.acks = two").writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "run", EXIT_WITHIN, "run", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(INVALID_CONFIGURATION);
        assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                .contains("pgcdc.kafka.acks", "\"two\"", "allowed: 0, 1, all");
    }

    @Test
    void aMistypedKeyEndsRunWithOneLineNamingItAndTheKeyMeant(PostgresDatabase postgres, KafkaCluster kafka) {
        Path file = captureOneTable(postgres, kafka).with("pgcdc.kafka.linger-ms = 5").writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "run", EXIT_WITHIN, "run", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(INVALID_CONFIGURATION);
        assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                .contains("pgcdc.kafka.linger-ms", "did you mean pgcdc.kafka.linger");
    }

    @Test
    void aCapturedTableWithoutATopicEndsRunWithAnErrorNamingTheTable(PostgresDatabase postgres, KafkaCluster kafka) {
        String mapped = TestNames.unique("mapped");
        String forgotten = TestNames.unique("forgotten");
        postgres.execute("CREATE TABLE " + mapped + " (id integer PRIMARY KEY)", "CREATE TABLE " + forgotten + " (id integer PRIMARY KEY)");
        Path file = ServiceConfig.of(postgres, kafka).publication(mapped + "_pub", true).slot(TestNames.unique("unmapped"), true)
                .table(mapped, kafka.createTopic(TestNames.unique("mapped"))).unmappedTable(forgotten).writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "run", EXIT_WITHIN, "run", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(INVALID_CONFIGURATION);
        assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString()
                .contains("pgcdc.kafka.table-topic-mapping", "public." + forgotten);
    }

    @Test
    void aConfigurationWithoutAnyTopicMappingNamesTheCapturedTable(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("unmapped");
        Path file = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(table, true).unmappedTable(table)
                .writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "validate", EXIT_WITHIN, "validate", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(INVALID_CONFIGURATION);
        assertThat(outcome.errorLines()).as("%s", outcome).singleElement().asString().contains("public." + table);
    }

    @Test
    void aMissingPublicationEndsRunWithAnErrorNamingItAndWhatToDo(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("orders");
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        String publication = TestNames.unique("missing_pub");
        ServiceConfig config = ServiceConfig.of(postgres, kafka).publication(publication, false).slot(TestNames.unique("missing_pub"), true)
                .table(table, kafka.createTopic(TestNames.unique("orders")));
        ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
        try {
            Outcome outcome = PgcdcProcess.execute(directory, "run", EXIT_WITHIN, "run", "--config", config.writeTo(directory).toString());

            assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(FAILED);
            assertThat(outcome.errorLines()).as("%s", outcome).first().asString()
                    .contains("publication \"" + publication + "\" does not exist", "publication.create-if-not-exists", "CREATE PUBLICATION");
            assertThat(outcome.stderr()).as("%s", outcome).doesNotContain("\tat ");
            assertThat(slot.confirmedFlushLsn().isValid()).as("a slot created although the service cannot start").isFalse();
        } finally {
            slot.drop();
        }
    }

    @Test
    void aMissingSlotEndsRunWithAnErrorNamingItAndWhatToDo(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("orders");
        postgres.execute("CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        String slot = TestNames.unique("missing_slot");
        Path file = ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(slot, false)
                .table(table, kafka.createTopic(TestNames.unique("orders"))).writeTo(directory);

        Outcome outcome = PgcdcProcess.execute(directory, "run", EXIT_WITHIN, "run", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isEqualTo(FAILED);
        assertThat(outcome.errorLines()).as("%s", outcome).first().asString().contains("\"" + slot + "\"", "slot.create-if-not-exists");
        assertThat(outcome.stderr()).as("%s", outcome).doesNotContain("\tat ");
    }

    @Test
    void validateExitsZeroForAValidFileWithoutConnectingAnywhere(PostgresDatabase postgres, KafkaCluster kafka) throws IOException {
        // nothing listens on these: validate must not try
        String unreachable = ServiceConfig.of(postgres, kafka).publication("shop_pub", false).slot("shop_slot", false)
                .table("orders", "orders").render()
                .replace("port = " + postgres.port(), "port = 1")
                .replace(kafka.bootstrapServers(), "127.0.0.1:1");
        Path file = Files.writeString(directory.resolve("valid.conf"), unreachable);

        Outcome outcome = PgcdcProcess.execute(directory, "validate", EXIT_WITHIN, "validate", "--config", file.toString());

        assertThat(outcome.exitCode()).as("%s", outcome).isZero();
        assertThat(outcome.stdout()).as("%s", outcome).contains("valid (slot shop_slot, publication shop_pub");
        assertThat(outcome.stderr()).as("%s", outcome).isEmpty();
    }

    @Test
    void validateExitsThreeForAnInvalidFileAndTwoForAMissingOneOrNone(PostgresDatabase postgres, KafkaCluster kafka) {
        Path invalid = captureOneTable(postgres, kafka).with("pgcdc.kafka.compression = brotli").writeTo(directory);

        Outcome bad = PgcdcProcess.execute(directory, "validate-invalid", EXIT_WITHIN, "validate", "--config", invalid.toString());
        Outcome missing = PgcdcProcess.execute(directory, "validate-missing", EXIT_WITHIN, "validate", "--config", "no-such.conf");
        Outcome usage = PgcdcProcess.execute(directory, "validate-usage", EXIT_WITHIN, "validate");

        assertThat(bad.exitCode()).as("%s", bad).isEqualTo(INVALID_CONFIGURATION);
        assertThat(bad.errorLines()).as("%s", bad).singleElement().asString().contains("pgcdc.kafka.compression", "brotli");
        assertThat(missing.exitCode()).as("a file that is not there is a wrong command line: %s", missing).isEqualTo(USAGE);
        assertThat(missing.errorLines()).as("%s", missing).first().asString().contains("no-such.conf", "does not exist");
        assertThat(usage.exitCode()).as("%s", usage).isEqualTo(USAGE);
        assertThat(usage.errorLines()).as("%s", usage).first().asString().contains("--config");
    }

    /** A valid configuration of one captured table (which need not exist: these runs stop at the configuration). */
    private static ServiceConfig captureOneTable(PostgresDatabase postgres, KafkaCluster kafka) {
        String table = TestNames.unique("orders");
        return ServiceConfig.of(postgres, kafka).publication(table + "_pub", true).slot(table, true).table(table, table);
    }
}
