package dev.pgcdc.testkit.environment;

import java.util.Locale;
import java.util.Optional;

/**
 * The knobs of the test environment. Each is read from a system property first (as passed to
 * Maven with {@code -D...}, which the build forwards to test JVMs) and then from the environment
 * variable named beside it.
 *
 * <ul>
 *   <li>{@code PGCDC_IT_POSTGRES_URL} / {@code pgcdc.it.postgres.url}: use this PostgreSQL (a
 *       {@code jdbc:postgresql://} URL with {@code user} and {@code password} parameters, a
 *       superuser, {@code wal_level=logical});</li>
 *   <li>{@code PGCDC_IT_KAFKA_BOOTSTRAP} / {@code pgcdc.it.kafka.bootstrap}: use this Kafka;</li>
 *   <li>{@code PGCDC_IT_POSTGRES_VERSION} / {@code pgcdc.it.postgres.version}: {@code 14} to
 *       {@code 18}, a full binaries version such as {@code 14.24.0}, or {@code system};</li>
 *   <li>{@code PGCDC_IT_TESTCONTAINERS} / {@code pgcdc.it.testcontainers}: {@code false} to
 *       never try Docker.</li>
 * </ul>
 */
public final class EnvironmentSettings {
    private EnvironmentSettings() {
    }

    public static Optional<String> postgresUrl() {
        return read("pgcdc.it.postgres.url", "PGCDC_IT_POSTGRES_URL");
    }

    public static Optional<String> kafkaBootstrap() {
        return read("pgcdc.it.kafka.bootstrap", "PGCDC_IT_KAFKA_BOOTSTRAP");
    }

    /** The PostgreSQL version asked for, or the pinned default. */
    public static String postgresVersion() {
        return read("pgcdc.it.postgres.version", "PGCDC_IT_POSTGRES_VERSION")
                .orElseGet(PinnedVersions::defaultPostgresBinaries);
    }

    public static boolean isTestcontainersAllowed() {
        return !read("pgcdc.it.testcontainers", "PGCDC_IT_TESTCONTAINERS")
                .map(value -> value.toLowerCase(Locale.ROOT))
                .filter(value -> value.equals("false") || value.equals("never") || value.equals("no"))
                .isPresent();
    }

    private static Optional<String> read(String property, String variable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return Optional.ofNullable(value).map(String::trim).filter(text -> !text.isEmpty());
    }
}
