package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.DockerAvailability;
import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.environment.SharedServer;
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
    private static final SharedServer<PostgresDatabase> SHARED = new SharedServer<>("PostgreSQL", TestPostgres::provide,
            PostgresDatabase::description);

    private TestPostgres() {
    }

    /** The shared PostgreSQL, started now if this is the first call. Never close it. */
    public static PostgresDatabase shared() {
        return SHARED.get();
    }

    private static PostgresDatabase provide() {
        Optional<String> url = EnvironmentSettings.postgresUrl();
        PostgresDatabase database;
        if (url.isPresent()) {
            database = ExternalPostgres.fromUrl(url.get());
        } else if (!EnvironmentSettings.postgresVersion().equalsIgnoreCase("system") && DockerAvailability.isAvailable()) {
            database = ContainerPostgres.start(EnvironmentSettings.postgresVersion());
        } else {
            database = PostgresServer.builder().start();
        }
        LOG.info("shared {}: {}", database.description(), database.queryValue(String.class, "SELECT version()"));
        return database;
    }
}
