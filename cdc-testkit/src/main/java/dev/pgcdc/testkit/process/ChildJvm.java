package dev.pgcdc.testkit.process;

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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A Java program in a JVM of its own, the one way every test starts one (pgcdc's {@code main}, the
 * packaged {@code pgcdc.jar}, a probe class of the test, a Kafka broker, Kafka Connect): the
 * {@code java} of the running JDK, a class path or a jar, the output in a file, and the process
 * stopped however the test ends. It is a {@link ChildProcess}, so the kernel kills it too should the
 * test JVM die ({@code setpriv --pdeathsig}), and {@link #close()} kills it if it still runs.
 *
 * <pre>{@code
 * try (ChildJvm probe = ChildJvm.of("probe", Probe.class.getName()).classPath(ChildJvm.testClassPath())
 *         .jvmOptions(ChildJvm.SMALL_HEAP).args("60000").output(directory.resolve("probe.log")).start()) {
 *     probe.awaitOutput("ready", Duration.ofSeconds(30));
 *     probe.sigterm();
 *     assertThat(probe.awaitExit(Duration.ofSeconds(30))).isZero();
 * }
 * }</pre>
 *
 * <p>Thread-safe once started.
 */
public final class ChildJvm implements AutoCloseable {

    /** Options of a small, quickly started JVM (tests start many). */
    public static final List<String> SMALL_HEAP = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1");

    private final String name;
    private final ChildProcess process;
    private final Path output;
    private final Path errors;

    private ChildJvm(String name, ChildProcess process, Path output, Path errors) {
        this.name = name;
        this.process = process;
        this.output = output;
        this.errors = errors;
    }

    /** A JVM named {@code name} (for messages) that runs {@code mainClass}; set its class path. */
    public static Builder of(String name, String mainClass) {
        return new Builder(name, List.of(Objects.requireNonNull(mainClass, "mainClass")));
    }

    /** A JVM named {@code name} that runs {@code java -jar jar}. */
    public static Builder ofJar(String name, Path jar) {
        return new Builder(name, List.of("-jar", jar.toString()));
    }

    /** This test JVM's class path, test classes included. */
    public static List<String> testClassPath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    /** This test JVM's class path without its test classes (so plugins come only from the jars a test adds). */
    public static List<String> mainClassPath() {
        return testClassPath().stream().filter(entry -> !entry.endsWith("test-classes")).toList();
    }

    /** How the JVM is started. Not thread-safe; {@link #start()} once. */
    public static final class Builder {
        private final String name;
        private final List<String> launch;
        private final List<String> classPath = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private Path workDirectory;
        private Path output;
        private Path errors;
        private Consumer<Map<String, String>> environment = env -> { };
        private String deathSignal = "KILL";

        private Builder(String name, List<String> launch) {
            this.name = Objects.requireNonNull(name, "name");
            this.launch = launch;
        }

        /** Adds class path entries (directories or jars). */
        public Builder classPath(List<?> entries) {
            entries.forEach(entry -> classPath.add(entry.toString()));
            return this;
        }

        /** Adds JVM options ({@code -Xmx256m}, {@code -Dkey=value}). */
        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        /** Adds JVM options. */
        public Builder jvmOptions(String... options) {
            return jvmOptions(Arrays.asList(options));
        }

        /** Adds program arguments. */
        public Builder args(List<String> arguments) {
            args.addAll(arguments);
            return this;
        }

        /** Adds program arguments. */
        public Builder args(String... arguments) {
            return args(Arrays.asList(arguments));
        }

        /** The working directory; default: the output file's directory. */
        public Builder workDirectory(Path directory) {
            workDirectory = directory;
            return this;
        }

        /** Where standard output goes (and standard error, unless {@link #errors} is set). Required. */
        public Builder output(Path file) {
            output = file;
            return this;
        }

        /** Where standard error goes, apart from standard output. */
        public Builder errors(Path file) {
            errors = file;
            return this;
        }

        /** Changes the child's environment (this JVM's, mutable), e.g. to remove variables that would configure it. */
        public Builder environment(Consumer<Map<String, String>> change) {
            environment = Objects.requireNonNull(change, "change");
            return this;
        }

        /** What the child gets should the test JVM die first ({@code KILL}, the default, or {@code INT}...). */
        public Builder deathSignal(String signal) {
            deathSignal = signal;
            return this;
        }

        /** The command this builder starts. */
        public List<String> command() {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            if (!classPath.isEmpty()) {
                command.addAll(List.of("-cp", String.join(File.pathSeparator, classPath)));
            }
            command.addAll(launch);
            command.addAll(args);
            return command;
        }

        /** Starts the JVM. */
        public ChildJvm start() {
            Objects.requireNonNull(output, "output");
            Path directory = workDirectory != null ? workDirectory : output.toAbsolutePath().getParent();
            ChildProcess process = ChildProcess.start(name, List.of(), command(), deathSignal, directory, output, errors, environment);
            return new ChildJvm(name, process, output, errors);
        }
    }

    /** The process, for signals by name and the like. */
    public ChildProcess process() {
        return process;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything written to standard output so far (with standard error unless it has its own file). */
    public String output() {
        return read(output);
    }

    /** Everything written to standard error so far; empty when it goes with standard output. */
    public String errors() {
        return errors == null ? "" : read(errors);
    }

    /** The last 60 lines of the output (and of standard error when apart), for failure messages. */
    public String tail() {
        String tail = LogTail.of(output, 60);
        return errors == null ? tail : tail + "\n" + LogTail.of(errors, 60);
    }

    /**
     * Waits until the output has a line containing {@code text} and returns it; fails with the
     * output's tail if the JVM exits or {@code timeout} passes first.
     */
    public String awaitOutput(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean alive = process.isAlive(); // read before the output, so an exit cannot hide a last line
            Optional<String> line = output().lines().filter(candidate -> candidate.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (!alive) {
                throw new AssertionError(this + " exited with " + process.exitCode() + " before printing \"" + text + "\"\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(this + " did not print \"" + text + "\" within " + timeout + "\n" + tail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** SIGTERM, as an orchestrator or an operator stops a program. */
    public void sigterm() {
        process.signal("TERM");
    }

    /** {@code kill -9}; returns once the JVM is gone. */
    public void kill() {
        process.kill();
        if (process.isAlive()) {
            throw new AssertionError(this + " survived kill -9 for 30 s");
        }
    }

    /** Waits for the exit; its exit code. Fails with the output's tail when the JVM outlives {@code timeout}. */
    public int awaitExit(Duration timeout) {
        if (!process.awaitExit(timeout)) {
            throw new AssertionError(this + " did not exit within " + timeout + "\n" + tail());
        }
        return process.exitCode();
    }

    /** Kills the JVM if it still runs. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.kill();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
