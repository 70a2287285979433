package dev.pgcdc.testkit.environment;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server shared by every test of a test JVM (the holder behind {@code TestPostgres} and
 * {@code TestKafka}): started on the first {@link #get()}, which prints how long that took; a
 * failure to start is kept, so that every later test fails at once with it instead of trying again.
 * Stopping it is the server's own business (a shutdown hook). Thread-safe.
 */
public final class SharedServer<T> {
    private static final Logger LOG = LoggerFactory.getLogger(SharedServer.class);

    private final String what;
    private final Supplier<T> start;
    private final Function<T, String> description;
    // guarded by this
    private T server;
    private RuntimeException failure;

    /**
     * @param what        the server in messages, such as {@code PostgreSQL}
     * @param start       starts the server (or connects to an external one)
     * @param description one line about a started server, for the build output
     */
    public SharedServer(String what, Supplier<T> start, Function<T, String> description) {
        this.what = what;
        this.start = start;
        this.description = description;
    }

    /** The server, started now if this is the first call; the first call's failure again on every later call. */
    public synchronized T get() {
        if (server == null && failure == null) {
            long started = System.nanoTime();
            try {
                server = start.get();
            } catch (RuntimeException e) {
                failure = e;
            }
            if (server != null) {
                long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
                String line = description.apply(server);
                LOG.info("shared {} ready in {} ms", line, millis);
                System.out.println("pgcdc-testkit: " + line + ", ready in " + millis + " ms");
            }
        }
        if (failure != null) {
            throw new TestEnvironmentException("the shared " + what + " could not be started: " + failure.getMessage(), failure);
        }
        return server;
    }
}
