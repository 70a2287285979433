package dev.pgcdc.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.Main;
import dev.pgcdc.app.TestConfigs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {

    @TempDir
    Path directory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        assertThat(execute("--help")).isZero();

        assertThat(out.toString()).contains("Usage: pgcdc [-hV] COMMAND", "run", "validate", "quickstart",
                "Exit codes:", "0   done, or stopped on SIGTERM/SIGINT after draining cleanly", "3   invalid configuration");
    }

    @Test
    void theHelpOfRunShowsTheSubstitutionSyntax() {
        assertThat(execute("run", "--help")).isZero();

        assertThat(out.toString()).contains("${?", "ENV_VAR} substitutions work").doesNotContain("null substitutions");
    }

    @Test
    void versionNamesTheProjectVersion() {
        assertThat(execute("--version")).isZero();

        assertThat(out.toString()).startsWith("pgcdc 0.1.0-SNAPSHOT").contains("Java ");
    }

    @Test
    void validateAcceptsAValidFileAndConnectsToNothing() throws IOException {
        Path file = write(TestConfigs.MINIMAL);

        assertThat(execute("validate", "--config", file.toString())).isEqualTo(ExitCodes.OK);

        assertThat(out.toString()).startsWith(file + ": valid (slot shop_slot, publication shop_pub, handler json, sink kafka)");
    }

    @Test
    void validateWarnsThatAcksBelowAllCanLoseConfirmedRecords() throws IOException {
        Path file = write(TestConfigs.MINIMAL + "pgcdc.kafka.acks = 1\n");

        assertThat(execute("validate", "--config", file.toString())).isEqualTo(ExitCodes.OK);

        assertThat(out.toString()).contains(file + ": warning: pgcdc.kafka.acks = 1: a record counts as written once the partition leader"
                + " has stored it");
    }

    @Test
    void validatePrintsEveryProblemAndExitsWithThree() throws IOException {
        Path file = write(TestConfigs.MINIMAL + "pgcdc.http.port = -1\npgcdc.logging.format = xml\n");

        assertThat(execute("validate", "-c", file.toString())).isEqualTo(ExitCodes.INVALID_CONFIGURATION);

        assertThat(err.toString()).isEqualTo(file + ": invalid configuration (2 problems):\n"
                + "  - pgcdc.http.port = -1 is out of range; allowed: 0 to 65535\n"
                + "  - pgcdc.logging.format = \"xml\" is not allowed; allowed: text, json\n");
    }

    @Test
    void validatePrintsTheEffectiveConfigurationWithSecretsMasked() throws IOException {
        Path file = write(TestConfigs.MINIMAL);

        assertThat(execute("validate", "--config", file.toString(), "--print")).isZero();

        assertThat(out.toString()).contains("max-in-flight-events=20000", "password=\"******\"").doesNotContain("s3cret-pw");
    }

    @Test
    void runRefusesAnInvalidFileBeforeConnectingToAnything() throws IOException {
        Path file = write("pgcdc.slot.name = \"Not A Slot\"\n");

        assertThat(execute("run", "--config", file.toString())).isEqualTo(ExitCodes.INVALID_CONFIGURATION);

        assertThat(err.toString()).contains("pgcdc.slot.name = \"Not A Slot\" is not a valid slot name", "pgcdc.postgres.host is required");
    }

    @Test
    void aWrongCommandLineExitsWithTwo() {
        assertThat(execute("run")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE'");

        assertThat(execute("stream")).isEqualTo(ExitCodes.USAGE);
    }

    private int execute(String... args) {
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    private Path write(String text) throws IOException {
        Path file = directory.resolve("app.conf");
        Files.writeString(file, text);
        return file;
    }
}
