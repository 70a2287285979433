package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.DockerAvailability;
import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka cluster shared by every test of a test JVM, started on first use and stopped when the JVM
 * exits. Chosen in this order: the cluster named by {@code PGCDC_IT_KAFKA_BOOTSTRAP}; a
 * Testcontainers container when a Docker engine is reachable; otherwise a local {@link KafkaBroker}.
 * Tests share it, so each creates its own topics (see {@code TestNames}), and none may kill or stop
 * it: a test that does starts a {@link KafkaBroker} of its own. Thread-safe.
 */
public final class TestKafka {
    private static final Logger LOG = LoggerFactory.getLogger(TestKafka.class);
    // guarded by TestKafka.class; a failure is kept so that later tests fail fast with it
    private static KafkaCluster shared;
    private static RuntimeException failure;
    // guarded by TestKafka.class: the broker process of localBroker() when the shared cluster is not one
    private static KafkaBroker local;

    private TestKafka() {
    }

    /** The shared cluster, started now if this is the first call. Never close it. */
    public static synchronized KafkaCluster shared() {
        if (shared == null && failure == null) {
            try {
                shared = provide();
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new TestEnvironmentException("the shared Kafka could not be started: " + failure.getMessage(), failure);
        }
        return shared;
    }

    /**
     * A broker process of this JVM, for tests that need one whatever the environment (they read its
     * log segments or data directory): the shared cluster when it is a local {@link KafkaBroker},
     * otherwise (a container, an external cluster) a broker started on first use and shared by those
     * tests, stopped when the JVM exits. Such tests thus run everywhere instead of being skipped where
     * Docker or an external Kafka is present, and fail loudly when no broker can be started. Never
     * close, kill or freeze it: a test that does starts a {@link KafkaBroker} of its own.
     */
    public static synchronized KafkaBroker localBroker() {
        if (shared() instanceof KafkaBroker broker) {
            return broker;
        }
        if (local == null) {
            local = KafkaBroker.builder().start();
            System.out.println("pgcdc-testkit: " + local.description() + " for tests that read a broker's files");
        }
        return local;
    }

    private static KafkaCluster provide() {
        long started = System.nanoTime();
        Optional<String> bootstrap = EnvironmentSettings.kafkaBootstrap();
        KafkaCluster cluster;
        if (bootstrap.isPresent()) {
            cluster = new ExternalKafka(bootstrap.get());
        } else if (DockerAvailability.isAvailable()) {
            cluster = ContainerKafka.start();
        } else {
            cluster = KafkaBroker.builder().start();
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        String description = cluster.description();
        LOG.info("shared {} ready in {} ms", description, millis);
        System.out.println("pgcdc-testkit: " + description + ", ready in " + millis + " ms");
        return cluster;
    }
}
