package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.DockerAvailability;
import dev.pgcdc.testkit.environment.EnvironmentSettings;
import dev.pgcdc.testkit.environment.SharedServer;
import java.util.Optional;

/**
 * The Kafka cluster shared by every test of a test JVM, started on first use and stopped when the JVM
 * exits. Chosen in this order: the cluster named by {@code PGCDC_IT_KAFKA_BOOTSTRAP}; a
 * Testcontainers container when a Docker engine is reachable; otherwise a local {@link KafkaBroker}.
 * Tests share it, so each creates its own topics (see {@code TestNames}), and none may kill or stop
 * it: a test that does starts a {@link KafkaBroker} of its own. Thread-safe.
 */
public final class TestKafka {
    private static final SharedServer<KafkaCluster> SHARED = new SharedServer<>("Kafka", TestKafka::provide, KafkaCluster::description);
    // guarded by TestKafka.class: the broker process of localBroker() when the shared cluster is not one
    private static KafkaBroker local;

    private TestKafka() {
    }

    /** The shared cluster, started now if this is the first call. Never close it. */
    public static KafkaCluster shared() {
        return SHARED.get();
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
        Optional<String> bootstrap = EnvironmentSettings.kafkaBootstrap();
        if (bootstrap.isPresent()) {
            return new ExternalKafka(bootstrap.get());
        } else if (DockerAvailability.isAvailable()) {
            return ContainerKafka.start();
        }
        return KafkaBroker.builder().start();
    }
}
