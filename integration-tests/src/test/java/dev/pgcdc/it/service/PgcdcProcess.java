package dev.pgcdc.it.service;

import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.testkit.process.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar pgcdc.jar ARGS} (or, with plugin jars, {@code java -cp pgcdc.jar:<plugins> dev.pgcdc.app.Main ARGS})
 * as a child process, the way the README runs the service: standard
 * output in {@code <directory>/<name>.out}, standard error in {@code <directory>/<name>.err}.
 * {@link #close()} kills it if it still runs, so a test that ends in any way leaves no service
 * behind; and should the test JVM itself die, the kernel kills the child too (it is the test kit's
 * {@link ChildJvm}). Thread-safe.
 */
public final class PgcdcProcess implements AutoCloseable {

    private static final String MAIN_CLASS = "dev.pgcdc.app.Main";
    private static final String HTTP_LOG_LINE = "HTTP endpoints on http://";
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP endpoints on http://[^ ]*:(\\d+)/");

    private final String name;
    private final ChildJvm process;

    private PgcdcProcess(String name, ChildJvm process) {
        this.name = name;
        this.process = process;
    }

    /** Starts {@code pgcdc run --config <config>}. */
    public static PgcdcProcess run(Path config, Path directory, String name) {
        return start(directory, name, "run", "--config", config.toString());
    }

    /**
     * Runs {@code pgcdc run --config <config>} until it streams from {@code slot} and has confirmed
     * it up to {@code lsn}, then stops it with SIGTERM, which must end it with exit code 0. Returns
     * its {@code /metrics} as they were just before the stop.
     */
    public static MetricsScrape runUntilConfirmed(Path config, Path directory, String name, ReplicationSlot slot, Lsn lsn) {
        try (PgcdcProcess service = run(config, directory, name)) {
            slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            int port = service.awaitHttpPort(Duration.ofSeconds(30));
            slot.awaitConfirmed(lsn, service, Duration.ofSeconds(120));
            MetricsScrape metrics = MetricsScrape.of(port);
            service.stopGracefully(Duration.ofSeconds(60));
            return metrics;
        }
    }

    /**
     * Starts {@code pgcdc run --config <config>} with the JVM options {@code bin/pgcdc} starts it with
     * ({@link ServiceJar#launcherDefaults()}): the heap, the JIT and the collector users get.
     */
    public static PgcdcProcess runWithLauncherDefaults(Path config, Path directory, String name) {
        return start(ChildJvm.ofJar("pgcdc " + name, ServiceJar.path()).jvmOptions(ServiceJar.launcherDefaults()), directory, name,
                "run", "--config", config.toString());
    }

    /** Starts {@code java -jar pgcdc.jar args...}. */
    public static PgcdcProcess start(Path directory, String name, String... args) {
        return start(ChildJvm.ofJar("pgcdc " + name, ServiceJar.path()), directory, name, args);
    }

    /**
     * Starts {@code java -cp pgcdc.jar:<plugins> dev.pgcdc.app.Main args...}, the way docs/handler-guide.md
     * deploys a plugin jar with the runnable jar ({@code java -jar} would ignore {@code -cp}).
     */
    public static PgcdcProcess startWithPlugins(Path directory, String name, List<Path> pluginJars, String... args) {
        List<Path> classPath = new ArrayList<>();
        classPath.add(ServiceJar.path());
        classPath.addAll(pluginJars);
        return start(ChildJvm.of("pgcdc " + name, MAIN_CLASS).classPath(classPath), directory, name, args);
    }

    private static PgcdcProcess start(ChildJvm.Builder jvm, Path directory, String name, String... args) {
        return new PgcdcProcess(name, jvm.args(args).workDirectory(directory)
                .output(directory.resolve(name + ".out")).errors(directory.resolve(name + ".err"))
                .environment(environment -> environment.keySet().removeIf(key -> key.startsWith("PGCDC_"))) // only the file configures the service
                .start());
    }

    /** Runs {@code java -jar pgcdc.jar args...} to its end (killed after {@code timeout}). */
    public static Outcome execute(Path directory, String name, Duration timeout, String... args) {
        try (PgcdcProcess process = start(directory, name, args)) {
            int exitCode = process.awaitExit(timeout);
            return new Outcome(exitCode, process.stdout(), process.stderr());
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, as an orchestrator stops a service. */
    public void sigterm() {
        process.sigterm();
    }

    /** SIGTERM, then waits for the exit; fails with the output's tail unless it exits 0 within {@code timeout}. */
    public void stopGracefully(Duration timeout) {
        sigterm();
        int exitCode = awaitExit(timeout);
        if (exitCode != 0) {
            throw new AssertionError(this + " exited with " + exitCode + " after SIGTERM, not 0\n" + tail());
        }
    }

    /** {@code kill -9}: no chance to drain or to confirm anything. Returns once the process is gone. */
    public void kill() {
        process.kill();
    }

    /** Waits for the process to end; its exit code. Fails with the output's tail when it outlives {@code timeout}. */
    public int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /**
     * Waits until {@code condition} holds (polled every 200 ms) while the service runs; fails at once,
     * with the output's tail, if the service exits first, and after {@code timeout} otherwise.
     */
    public void awaitWhileRunning(String what, Duration timeout, Callable<Boolean> condition) {
        await(what + " while " + this + " runs").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("the service exited", () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(this + " exited with " + process.process().exitCode() + " while waiting for " + what + "\n" + tail());
                    }
                })
                .until(condition);
    }

    /**
     * Waits until the service's log has a line containing {@code text} and returns that line; fails
     * with the output's tail if the process exits or {@code timeout} passes first.
     */
    public String awaitLogLine(String text, Duration timeout) {
        return process.awaitOutput(text, timeout);
    }

    /** The port of the service's HTTP endpoints, from its start-up log line (for {@code http.port = 0}). */
    public int awaitHttpPort(Duration timeout) {
        String line = awaitLogLine(HTTP_LOG_LINE, timeout);
        Matcher port = HTTP_PORT.matcher(line);
        if (!port.find()) {
            throw new AssertionError("no port in the log line \"" + line + "\"");
        }
        return Integer.parseInt(port.group(1));
    }

    /** Everything written to standard output so far (the service's log). */
    public String stdout() {
        return process.output();
    }

    /** Everything written to standard error so far (the command's own error lines). */
    public String stderr() {
        return process.errors();
    }

    /** The last lines of both outputs, for failure messages. */
    public String tail() {
        return process.tail();
    }

    /** Kills the process if it still runs. Idempotent. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "pgcdc " + name + " (pid " + process.pid() + ")";
    }

    /** How a command that ran to its end went. */
    public record Outcome(int exitCode, String stdout, String stderr) {

        /** The non-blank lines of standard error. */
        public List<String> errorLines() {
            return stderr.lines().filter(line -> !line.isBlank()).toList();
        }

        @Override
        public String toString() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }
}
