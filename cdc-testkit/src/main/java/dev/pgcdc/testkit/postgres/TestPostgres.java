package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.DockerAvailability;
import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL shared by every test of a test JVM, started on first use and stopped when the JVM
 * exits. Chosen in this order: the server named by {@code PGCDC_IT_POSTGRES_URL}; a Testcontainers
 * container when a Docker engine is reachable; otherwise a local {@link PostgresServer} of the
 * version in {@code pgcdc.it.postgres.version}. Tests share it, so each uses its own tables,
 * publications and slots (see {@code TestNames}). Thread-safe.
 */
public final class TestPostgres {
    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);
    // guarded by TestPostgres.class; a failure is kept so that later tests fail fast with it
    private static PostgresDatabase shared;
    private static RuntimeException failure;

    private TestPostgres() {
    }

    /** The shared PostgreSQL, started now if this is the first call. Never close it. */
    public static synchronized PostgresDatabase shared() {
        if (shared == null && failure == null) {
            try {
                shared = provide();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new TestEnvironmentException("the shared PostgreSQL could not be started: " + failure.getMessage(), failure);
        }
        return shared;
    }

    private static PostgresDatabase provide() {
        long started = System.nanoTime();
        Optional<String> url = EnvironmentSettings.postgresUrl();
        PostgresDatabase database;
        if (url.isPresent()) {
            database = ExternalPostgres.fromUrl(url.get());
        } else if (!EnvironmentSettings.postgresVersion().equalsIgnoreCase("system") && DockerAvailability.isAvailable()) {
            database = ContainerPostgres.start(EnvironmentSettings.postgresVersion());
        } else {
            database = PostgresServer.builder().start();
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String version = database.queryValue(String.class, "SELECT version()");
        LOG.info("shared {} ready in {} ms: {}", database.description(), millis, version);
        System.out.println("pgcdc-testkit: " + database.description() + ", ready in " + millis + " ms");
        return database;
    }
}
