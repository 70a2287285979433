package dev.pgcdc.testkit.environment;

/**
 * A fixture could not provide what a test asked for: a server failed to start, a binary could not
 * be found or downloaded, a statement failed. The message says which and, where it can, quotes the
 * server's log.
 */
public class TestEnvironmentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TestEnvironmentException(String message) {
        super(message);
    }

    public TestEnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
