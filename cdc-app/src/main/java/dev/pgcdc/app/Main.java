package dev.pgcdc.app;

import dev.pgcdc.app.cli.ExitCodes;
import dev.pgcdc.app.cli.PgcdcCommand;
import picocli.CommandLine;

/** The {@code pgcdc} command: {@code run}, {@code validate}, {@code quickstart}. Exit codes in {@link ExitCodes}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = ExitCodes.FAILED;
        try {
            code = execute(args);
        } catch (Throwable e) {
            // an Error (a broken plugin class, say) must end the process too: other threads would keep it alive
            System.err.println("pgcdc: fatal: " + e);
            System.err.flush();
        } finally {
            System.exit(code);
        }
    }

    /** Runs the command line and returns the exit code (no {@code System.exit}), for tests and embedding. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line. */
    public static CommandLine commandLine() {
        CommandLine commandLine = PgcdcCommand.commandLine(Thread.currentThread().getContextClassLoader());
        commandLine.setExecutionExceptionHandler((error, line, parsed) -> {
            line.getErr().println("pgcdc: " + error.getMessage());
            line.getErr().flush();
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("unexpected error", error);
            return ExitCodes.FAILED;
        });
        return commandLine;
    }
}
