package dev.pgcdc.postgres;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Captures what slf4j-simple (the tests' logger) writes to standard error while a test runs a piece of code. */
final class LogCapture {

    /** Code that may throw. */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private LogCapture() {
    }

    /** Runs {@code action} and returns the log it wrote; standard error is restored also when it throws. */
    static String during(Action action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
