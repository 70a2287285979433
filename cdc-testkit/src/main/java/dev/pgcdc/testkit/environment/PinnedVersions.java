package dev.pgcdc.testkit.environment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The server versions the build pinned (root pom properties {@code pgcdc.it.postgres.binaries.*}
 * and {@code pgcdc.it.kafka.broker.version}), written into {@code testkit-versions.properties}
 * when the test kit is built.
 */
public final class PinnedVersions {
    private static final Properties VERSIONS = load();

    private PinnedVersions() {
    }

    /** The io.zonky PostgreSQL binaries version used when none is asked for, such as {@code 17.11.0}. */
    public static String defaultPostgresBinaries() {
        return VERSIONS.getProperty("postgres.binaries.default");
    }

    /** The newest binaries version of each supported major, oldest major first. */
    public static List<String> knownPostgresBinaries() {
        return Arrays.stream(VERSIONS.getProperty("postgres.binaries.known").split(","))
                .map(String::trim)
                .toList();
    }

    /** The Kafka version whose jars run the local broker, such as {@code 4.1.2}. */
    public static String kafkaBroker() {
        return VERSIONS.getProperty("kafka.broker.version");
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = PinnedVersions.class.getResourceAsStream("testkit-versions.properties")) {
            if (in == null) {
                throw new IllegalStateException("testkit-versions.properties is missing: rebuild cdc-testkit");
            }
            properties.load(in);
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
