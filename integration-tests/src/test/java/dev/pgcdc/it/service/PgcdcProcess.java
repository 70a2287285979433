package dev.pgcdc.it.service;

import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.position.Lsn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar pgcdc.jar ARGS} as a child process, the way the README runs the service: standard
 * output in {@code <directory>/<name>.out}, standard error in {@code <directory>/<name>.err}.
 * {@link #close()} kills it if it still runs, so a test that ends in any way leaves no service
 * behind; and should the test JVM itself die, the kernel kills the child too
 * ({@code setpriv --pdeathsig KILL}, armed by a spawner thread that lives as long as the JVM).
 * Thread-safe.
 */
public final class PgcdcProcess implements AutoCloseable {

    private static final String HTTP_LOG_LINE = "HTTP endpoints on http://";
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP endpoints on http://[^ ]*:(\\d+)/");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pgcdc-it-spawner");
        thread.setDaemon(true);
        return thread;
    });

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private PgcdcProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
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

    /** Starts {@code java -jar pgcdc.jar args...}. */
    public static PgcdcProcess start(Path directory, String name, String... args) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETPRIV)) {
            command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ServiceJar.path().toString()));
        command.addAll(List.of(args));
        Path out = directory.resolve(name + ".out");
        Path err = directory.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("PGCDC_")); // only the file configures the service
        try {
            return new PgcdcProcess(name, SPAWNER.submit(builder::start).get(), out, err);
        } catch (ExecutionException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command),
                    e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
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
        process.destroy();
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
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(this + " survived kill -9 for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the process to end; its exit code. Fails with the output's tail when it outlives {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(this + " did not exit within " + timeout + "\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + this, e);
        }
        return process.exitValue();
    }

    /**
     * Waits until {@code condition} holds (polled every 200 ms) while the service runs; fails at once,
     * with the output's tail, if the service exits first, and after {@code timeout} otherwise.
     */
    public void awaitWhileRunning(String what, Duration timeout, Callable<Boolean> condition) {
        await(what + " while " + this + " runs").atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("the service exited", () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(this + " exited with " + process.exitValue() + " while waiting for " + what + "\n" + tail());
                    }
                })
                .until(condition);
    }

    /**
     * Waits until the service's log has a line containing {@code text} and returns that line; fails
     * with the output's tail if the process exits or {@code timeout} passes first.
     */
    public String awaitLogLine(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = stdout().lines().filter(candidate -> candidate.contains(text)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (!process.isAlive()) {
                throw new AssertionError(this + " exited with " + process.exitValue() + " before logging \"" + text + "\"\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(this + " did not log \"" + text + "\" within " + timeout + "\n" + tail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
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
        return read(stdout);
    }

    /** Everything written to standard error so far (the command's own error lines). */
    public String stderr() {
        return read(stderr);
    }

    /** The last lines of both outputs, for failure messages. */
    public String tail() {
        return "--- " + stdout + " (last 40 lines) ---\n" + lastLines(stdout(), 40)
                + "\n--- " + stderr + " ---\n" + lastLines(stderr(), 40);
    }

    /** Kills the process if it still runs. Idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return "pgcdc " + name + " (pid " + process.pid() + ")";
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
