package dev.pgcdc.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.Main;
import dev.pgcdc.app.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
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
    void withoutTheTestKitTheHelpLeavesQuickstartOutAndRunningItSaysWhereItWorks() {
        CommandLine distribution = PgcdcCommand.commandLine(new WithoutTestKit(getClass().getClassLoader()));

        assertThat(execute(distribution, "--help")).isZero();
        assertThat(out.toString()).contains("run", "validate", "docs/ beside bin/", "configuration.md").doesNotContain("quickstart");

        assertThat(execute(distribution)).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("a command is required: run, validate\n");
    }

    @Test
    void theHelpOfRunNamesTheHttpEndpointsAndTheEnvironmentVariables() {
        assertThat(execute("run", "--help")).isZero();

        assertThat(out.toString()).contains("/status", "/metrics", "/slot", "/health/live", "/health/ready",
                        "key = ${?NAME}", "PGCDC_JAVA_OPTS", "JAVA_OPTS", "PGCDC_CLASSPATH", "8080 by default")
                .containsPattern("PGCDC_POSTGRES_PASSWORD +pgcdc.postgres.password\n")
                .containsPattern("PGCDC_KAFKA_SASL_PASSWORD +pgcdc.kafka.sasl.password\n")
                .doesNotContain("null");
    }

    @Test
    void theHelpOfRunListsEveryVariableThatAReferenceConfReads() throws IOException {
        Set<String> variables = new TreeSet<>();
        Pattern substitution = Pattern.compile("\\$\\{\\?([A-Za-z_][A-Za-z0-9_]*)}");
        for (URL resource : Collections.list(getClass().getClassLoader().getResources("reference.conf"))) {
            try (InputStream in = resource.openStream()) {
                new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                        .filter(line -> !line.strip().startsWith("#") && !line.strip().startsWith("//"))
                        .map(substitution::matcher)
                        .forEach(matcher -> matcher.results().forEach(result -> variables.add(result.group(1))));
            }
        }
        assertThat(variables).contains("PGCDC_POSTGRES_HOST", "PGCDC_SLOT_NAME");

        assertThat(execute("run", "--help")).isZero();

        assertThat(variables).allSatisfy(variable -> assertThat(out.toString()).contains("  " + variable + " "));
    }

    @Test
    void noHelpLineBreaksBeforeAWordThatWouldHaveFit() {
        for (String[] command : List.of(new String[] {"--help"}, new String[] {"run", "--help"}, new String[] {"validate", "--help"},
                new String[] {"quickstart", "--help"})) {
            out.getBuffer().setLength(0);
            assertThat(execute(command)).isZero();
            List<String> lines = out.toString().lines().toList();
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i - 1);
                String next = lines.get(i);
                assertThat(line.length()).as("%s: %s", String.join(" ", command), line).isLessThanOrEqualTo(80);
                if (!next.isEmpty() && Character.isLowerCase(next.charAt(0))) {
                    String word = next.split(" ", 2)[0];
                    // picocli fills lines up to 79 columns
                    assertThat(line.length() + 1 + word.length()).as("%s: a line broken early:%n%s%n%s", String.join(" ", command),
                            line, next).isGreaterThan(79);
                }
            }
        }
    }

    @Test
    void versionNamesTheProjectVersionAndTheCommit() throws Exception {
        assertThat(execute("--version")).isZero();

        assertThat(out.toString()).startsWith("pgcdc 0.1.0-SNAPSHOT (commit " + gitCommit() + ")\n").contains("Java ");
    }

    @Test
    void aConfigurationFileThatIsNotThereIsAWrongCommandLine() {
        Path missing = directory.resolve("no-such.conf");

        assertThat(execute("run", "--config", missing.toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(execute("validate", "-c", directory.toString())).isEqualTo(ExitCodes.USAGE);

        assertThat(err.toString()).contains("pgcdc: Invalid value for option '--config': " + missing + " does not exist",
                        "Try 'pgcdc run --help' for more information.", directory + " is not a file")
                .doesNotContain("invalid configuration");
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

        assertThat(out.toString()).contains("max-in-flight-events=2000", "password=\"******\"").doesNotContain("s3cret-pw");
    }

    @Test
    void runRefusesAnInvalidFileBeforeConnectingToAnything() throws IOException {
        Path file = write("pgcdc.slot.name = \"Not A Slot\"\n");

        assertThat(execute("run", "--config", file.toString())).isEqualTo(ExitCodes.INVALID_CONFIGURATION);

        assertThat(err.toString()).contains("pgcdc.slot.name = \"Not A Slot\" is not a valid slot name", "pgcdc.postgres.host or pgcdc.postgres.hosts is required");
    }

    @Test
    void aWrongCommandLineExitsWithTwo() {
        assertThat(execute("run")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE'");

        assertThat(execute("stream")).isEqualTo(ExitCodes.USAGE);
    }

    /** The commit the build recorded: what git says now, or "unknown" without git or a repository. */
    private static String gitCommit() throws IOException, InterruptedException {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String commit = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 && !commit.isEmpty() ? commit : "unknown";
        } catch (IOException noGit) {
            return "unknown";
        }
    }

    /** The class path of the distribution: everything but the test kit. */
    private static final class WithoutTestKit extends ClassLoader {

        WithoutTestKit(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("dev.pgcdc.testkit.")) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    private int execute(String... args) {
        return execute(Main.commandLine(), args);
    }

    private int execute(CommandLine commandLine, String... args) {
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
