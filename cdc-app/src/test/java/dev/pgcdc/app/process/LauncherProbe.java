package dev.pgcdc.app.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A launcher script ({@code bin/pgcdc}, {@code ./pgcdc}) run with a stand-in for {@code java} that
 * prints the arguments it was given, one a line: what JVM the script would start.
 */
public final class LauncherProbe {

    /**
     * The launcher's defaults: the C1 compiler only, a bounded heap with its young generation, and an
     * exit rather than a limp on OutOfMemoryError.
     */
    public static final List<String> DEFAULTS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xms24m", "-Xmx64m",
            "-Xmn16m", "-XX:SurvivorRatio=3", "-XX:TargetSurvivorRatio=90", "-XX:MaxMetaspaceSize=96m", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");

    private final Path java;

    private LauncherProbe(Path java) {
        this.java = java;
    }

    /** Writes the stand-in {@code java} into {@code directory}. */
    public static LauncherProbe in(Path directory) throws IOException {
        Path java = directory.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor argument in \"$@\"; do echo \"$argument\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        return new LauncherProbe(java);
    }

    /**
     * Runs {@code sh script ARGS} with {@code JAVA} set to the stand-in, {@code environment} added and
     * the caller's {@code JAVA_OPTS} and {@code PGCDC_*} removed; the arguments java received.
     */
    public List<String> launch(Path script, Map<String, String> environment, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder();
        builder.command().addAll(List.of("sh", script.toString()));
        builder.command().addAll(List.of(args));
        builder.environment().keySet().removeIf(name -> name.equals("JAVA_OPTS") || name.startsWith("PGCDC_"));
        builder.environment().put("JAVA", java.toString());
        builder.environment().putAll(environment);
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().toList();
    }
}
