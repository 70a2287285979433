package dev.pgcdc.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.app.process.LauncherProbe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The distribution's launcher, {@code bin/pgcdc}: which JVM options each environment variable leads to. */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("src", "dist", "bin", "pgcdc");

    @TempDir
    Path directory;

    private LauncherProbe probe;

    @BeforeEach
    void standInForJava() throws IOException {
        probe = LauncherProbe.in(directory);
    }

    @Test
    void startsTheJvmWithTheDefaults() throws Exception {
        List<String> arguments = probe.launch(LAUNCHER, Map.of(), "run", "--config", "app.conf");

        assertThat(arguments).startsWith(LauncherProbe.DEFAULTS.toArray(String[]::new));
        assertThat(arguments).endsWith("dev.pgcdc.app.Main", "run", "--config", "app.conf");
    }

    @Test
    void pgcdcJavaOptsAddsToTheDefaultsAfterThem() throws Exception {
        List<String> arguments = probe.launch(LAUNCHER, Map.of("PGCDC_JAVA_OPTS", "-Dpgcdc.http.port=9090 -Xmx512m"), "--version");

        assertThat(arguments).startsWith(LauncherProbe.DEFAULTS.toArray(String[]::new));
        assertThat(arguments).containsSubsequence("-XX:+ExitOnOutOfMemoryError", "-Dpgcdc.http.port=9090", "-Xmx512m", "-cp",
                "dev.pgcdc.app.Main");
    }

    @Test
    void javaOptsReplacesTheDefaults() throws Exception {
        List<String> arguments = probe.launch(LAUNCHER, Map.of("JAVA_OPTS", "-Xmx1g", "PGCDC_JAVA_OPTS", "-Dpgcdc.http.port=9090"),
                "--version");

        assertThat(arguments).startsWith("-Xmx1g", "-Dpgcdc.http.port=9090", "-cp").doesNotContain("-Xmx64m");
    }
}
