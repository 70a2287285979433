package dev.pgcdc.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.process.LauncherProbe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the build packaged (after {@code package}): the source checkout's {@code ./pgcdc} starts the
 * JVM as the distribution's {@code bin/pgcdc} does, and the distribution ships the documentation its
 * help points at and lists only the commands it can run.
 */
class LauncherIT {

    private static final Path TARGET = Path.of("target");

    @TempDir
    Path directory;

    @Test
    void theSourceCheckoutsScriptUsesTheLaunchersJvmDefaults() throws Exception {
        LauncherProbe probe = LauncherProbe.in(directory);

        List<String> run = probe.launch(Path.of("..", "pgcdc"), Map.of("PGCDC_JAVA_OPTS", "-Dpgcdc.http.port=9090"),
                "run", "--config", "app.conf");
        assertThat(run).startsWith(LauncherProbe.DEFAULTS.toArray(String[]::new));
        assertThat(run).containsSubsequence("-XX:+ExitOnOutOfMemoryError", "-Dpgcdc.http.port=9090", "-cp");
        assertThat(run.get(run.indexOf("-cp") + 1)).contains("pgcdc.jar").doesNotContain("cdc-testkit");

        List<String> quickstart = probe.launch(Path.of("..", "pgcdc"), Map.of(), "quickstart");
        assertThat(quickstart).startsWith(LauncherProbe.DEFAULTS.toArray(String[]::new));
        assertThat(quickstart.get(quickstart.indexOf("-cp") + 1)).contains("pgcdc.jar", "cdc-testkit");
    }

    @Test
    void theDistributionShipsTheDocsAndListsOnlyWhatItCanRun() throws Exception {
        Path tarball;
        try (Stream<Path> files = Files.list(TARGET)) {
            tarball = files.filter(file -> file.getFileName().toString().matches("pgcdc-.*\\.tar\\.gz")).findFirst().orElseThrow();
        }
        run(directory, "tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", directory.toString());
        Path home;
        try (Stream<Path> entries = Files.list(directory)) {
            home = entries.filter(entry -> entry.getFileName().toString().startsWith("pgcdc-")).findFirst().orElseThrow();
        }
        for (String doc : List.of("configuration.md", "operations.md", "handler-guide.md", "grafana-dashboard.json")) {
            assertThat(home.resolve("docs").resolve(doc)).as(doc).hasSameTextualContentAs(Path.of("..", "docs", doc));
        }

        String help = run(home, home.resolve("bin/pgcdc").toString(), "--help");
        assertThat(help).contains("run", "validate", "docs/ beside bin/").doesNotContain("quickstart");
        assertThat(run(home, home.resolve("bin/pgcdc").toString(), "--version")).matches("(?s)pgcdc \\S+ \\(commit ([0-9a-f]{12}|unknown)\\)\n.*");
    }

    private static String run(Path workingDirectory, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.equals("JAVA_OPTS") || name.startsWith("PGCDC_"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
