package dev.pgcdc.app.cli;

/** The process exit statuses of {@code pgcdc}, as {@code --help} lists them. */
public final class ExitCodes {

    /** Done; or stopped on request (SIGTERM, SIGINT) after draining cleanly. */
    public static final int OK = 0;
    /** A fatal error: the service could not start, failed while running, or could not drain on stop. */
    public static final int FAILED = 1;
    /** The command line is wrong (unknown command or option, missing argument). */
    public static final int USAGE = 2;
    /** The configuration is invalid; every problem was printed. */
    public static final int INVALID_CONFIGURATION = 3;

    private ExitCodes() {
    }
}
