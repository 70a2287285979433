package dev.pgcdc.app.process;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code pgcdc} in a JVM of its own, as an operator runs it: {@code java -cp ... dev.pgcdc.app.Main ARGS},
 * output (stdout and stderr together) in a file. The class path is the test's without its test
 * classes (so plugins must come from the jars given), plus {@code extraClasspath}.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path output;

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code pgcdc ARGS}; its output goes to {@code directory/<name>.log}. */
    public static ChildJvm start(Path directory, String name, List<Path> extraClasspath, String... args) {
        List<String> classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.toCollection(ArrayList::new));
        extraClasspath.forEach(jar -> classpath.add(jar.toString()));
        return start(directory, name, classpath, "dev.pgcdc.app.Main", args);
    }

    /** Starts {@code mainClass ARGS} with the test's whole class path (test classes included); output as {@link #start}. */
    public static ChildJvm startTestMain(Path directory, String name, Class<?> mainClass, String... args) {
        return start(directory, name, List.of(System.getProperty("java.class.path").split(File.pathSeparator)), mainClass.getName(), args);
    }

    private static ChildJvm start(Path directory, String name, List<String> classpath, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", String.join(File.pathSeparator, classpath),
                mainClass));
        command.addAll(List.of(args));
        Path output = directory.resolve(name + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            return new ChildJvm(process, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the process printed so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output contains {@code text}; fails with the output if the process ends or {@code timeout} passes first. */
    public void awaitOutput(String text, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100))
                .failFast("pgcdc exited before printing \"" + text + "\"; output:\n" + tail(), () -> !process.isAlive() && !output().contains(text))
                .until(() -> output().contains(text));
    }

    /** Sends SIGTERM, as an orchestrator does. */
    public void sigterm() {
        process.destroy();
    }

    /** Waits for the exit; its status. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("pgcdc did not exit within " + timeout + "; output:\n" + tail());
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last 60 lines of output, for failure messages. */
    public String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
