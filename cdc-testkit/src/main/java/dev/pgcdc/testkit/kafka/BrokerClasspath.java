package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The classpath of a broker JVM: the test kit's own code (for {@link KafkaBrokerLauncher}) and the jars of
 * {@code kafka_2.13} with an SLF4J binding, whose paths in the local Maven repository the build
 * wrote into {@code kafka-broker.classpath} (they are {@code provided} dependencies of the test kit,
 * so they never reach a consumer's classpath).
 */
final class BrokerClasspath {
    private BrokerClasspath() {
    }

    static String value() {
        List<String> entries = new ArrayList<>();
        entries.add(ownLocation().toString());
        for (String entry : jars()) {
            if (!Files.exists(Path.of(entry))) {
                throw new TestEnvironmentException("the Kafka broker jar " + entry + " is missing; rebuild the test kit"
                        + " (./mvnw -pl cdc-testkit install) so that Maven downloads it again");
            }
            entries.add(entry);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> jars() {
        try (InputStream in = BrokerClasspath.class.getResourceAsStream("kafka-broker.classpath")) {
            if (in == null) {
                throw new TestEnvironmentException("kafka-broker.classpath is missing from the test kit; build it with Maven");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return Arrays.stream(text.split(File.pathSeparator)).filter(entry -> !entry.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path ownLocation() {
        try {
            return Path.of(KafkaBrokerLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
