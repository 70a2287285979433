package dev.pgcdc.testkit.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A server process started by the test kit: its PID is the server's own (the command is started
 * as a plain command, and the wrappers put in front of it {@code exec}), its output goes to a log
 * file, and it is stopped by signals sent to that PID.
 *
 * <p>Every child is started from one long-lived daemon thread. On Linux the command is prefixed
 * with {@code setpriv --pdeathsig}, and the kernel delivers that signal when the thread that
 * started the process dies: with a dedicated thread that happens only when the test JVM itself
 * dies, even by {@code kill -9}. Thread-safe.
 */
public final class ChildProcess {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "pgcdc-testkit-spawner");
        thread.setDaemon(true);
        return thread;
    });

    private final String name;
    private final Process process;
    private final Path logFile;

    private ChildProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
    }

    /**
     * Starts {@code command} with its output appended to {@code logFile}.
     *
     * @param wrapper     commands put in front, each of which must {@code exec} the next (such as
     *                    {@code unshare -U}); empty for none
     * @param deathSignal what the child gets if the test JVM dies first ({@code INT},
     *                    {@code KILL}...), or {@code null} for nothing; set after the wrapper ran
     */
    public static ChildProcess start(String name, List<String> wrapper, List<String> command, String deathSignal,
                                     Path workDirectory, Path logFile) {
        return start(name, wrapper, command, deathSignal, workDirectory, logFile, null, environment -> { });
    }

    /**
     * {@link #start(String, List, List, String, Path, Path)} with standard error in a file of its own
     * and the child's environment changed by {@code environment} (which gets this JVM's, mutable).
     *
     * @param errorFile where standard error goes; null: with standard output in {@code logFile}
     */
    public static ChildProcess start(String name, List<String> wrapper, List<String> command, String deathSignal,
                                     Path workDirectory, Path logFile, Path errorFile, Consumer<Map<String, String>> environment) {
        List<String> full = new ArrayList<>(wrapper);
        if (deathSignal != null && Files.isExecutable(SETPRIV)) {
            full.addAll(List.of(SETPRIV.toString(), "--pdeathsig", deathSignal, "--"));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workDirectory.toFile())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        if (errorFile == null) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(errorFile.toFile()));
        }
        environment.accept(builder.environment());
        try {
            Process process = SPAWNER.submit(builder::start).get();
            return new ChildProcess(name, process, logFile);
        } catch (ExecutionException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", full),
                    e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
        }
    }

    /**
     * Runs {@code wrapper + command} to its end and returns its output; fails with that output on a
     * non-zero exit.
     */
    public static String run(List<String> wrapper, List<String> command, Path workDirectory, Duration timeout) {
        try {
            Path output = Files.createTempFile("pgcdc-testkit-", ".out");
            try {
                ChildProcess child = start(command.get(0), wrapper, command, null, workDirectory, output);
                if (!child.awaitExit(timeout)) {
                    child.kill();
                    throw new IllegalStateException("timed out after " + timeout + ": " + String.join(" ", command));
                }
                String text = Files.readString(output, StandardCharsets.UTF_8);
                int exit = child.process.exitValue();
                if (exit != 0) {
                    throw new IllegalStateException("exit code " + exit + " from " + String.join(" ", command) + ":\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path logFile() {
        return logFile;
    }

    /** Sends a signal by name ({@code INT}, {@code TERM}, {@code QUIT}...) with {@code kill}. */
    public void signal(String signalName) {
        if (!process.isAlive()) {
            return;
        }
        if (signalName.equals("TERM")) {
            process.destroy();
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signalName, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            kill.getInputStream().readAllBytes();
            kill.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot signal " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code kill -9}: the process gets no chance to clean up. Returns once it is gone. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    /**
     * Sends {@code signalName}, waits up to {@code grace} for the process to end, then kills it.
     * Returns whether it ended within the grace period.
     */
    public boolean stop(String signalName, Duration grace) {
        if (!process.isAlive()) {
            return true;
        }
        signal(signalName);
        if (awaitExit(grace)) {
            return true;
        }
        kill();
        return false;
    }

    public boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        } finally {
            if (!process.isAlive()) {
                closeQuietly(process.getOutputStream());
            }
        }
    }

    /** The exit code, or -1 while the process runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The last {@code lines} lines of the log file, for error messages. */
    public String logTail(int lines) {
        return LogTail.of(logFile, lines);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException ignored) {
            // the child is gone; nothing reads this pipe any more
        }
    }
}
