package dev.pgcdc.testkit.postgres;

import dev.pgcdc.testkit.environment.Provisioning;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL in a Docker container started by Testcontainers (image {@code postgres:<version>}),
 * with the same logical-replication settings as a {@link PostgresServer}. Testcontainers stops it
 * when the JVM exits.
 */
final class ContainerPostgres implements PostgresDatabase {
    private final PostgreSQLContainer container;

    private ContainerPostgres(PostgreSQLContainer container) {
        this.container = container;
    }

    /** Starts a container of the PostgreSQL {@code version} asked for: a major or a full binaries version. */
    static ContainerPostgres start(String versionSpec) {
        String[] parts = PostgresBinaries.fullVersion(versionSpec).split("\\.");
        String tag = versionSpec.contains(".") ? parts[0] + "." + parts[1] : parts[0];
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:" + tag)
                .withUsername("postgres")
                .withPassword("postgres")
                .withDatabaseName("postgres")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20",
                        "-c", "max_wal_senders=20", "-c", "max_connections=200", "-c", "fsync=off",
                        "-c", "max_prepared_transactions=10");
        container.start();
        return new ContainerPostgres(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String database() {
        return container.getDatabaseName();
    }

    @Override
    public String user() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public String description() {
        return "PostgreSQL " + serverVersion() + " on " + host() + ":" + port() + " ("
                + Provisioning.TESTCONTAINERS.label() + ", " + container.getDockerImageName() + ")";
    }
}
