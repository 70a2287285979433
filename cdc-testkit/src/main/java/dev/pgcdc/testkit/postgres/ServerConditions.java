package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition on a server (a standby streaming, a slot synchronised): polls it every
 * 100 ms, and fails after a bound with a message naming what was awaited and what the servers
 * said. Stateless; thread-safe.
 */
final class ServerConditions {
    private static final Duration POLL = Duration.ofMillis(100);

    private ServerConditions() {
    }

    /**
     * Evaluates {@code condition} until it holds; fails after {@code bound} with {@code what} and the
     * text of {@code diagnostics} (such as a log tail). A condition that throws is retried until the
     * bound, then its last exception is the cause.
     */
    static void await(String what, Duration bound, BooleanSupplier condition, Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + bound.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new TestEnvironmentException("timed out after " + bound + " waiting for " + what
                        + (last == null ? "" : " (last error: " + last.getMessage() + ")") + "\n" + diagnostics.get(), last);
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestEnvironmentException("interrupted while waiting for " + what, e);
            }
        }
    }
}
