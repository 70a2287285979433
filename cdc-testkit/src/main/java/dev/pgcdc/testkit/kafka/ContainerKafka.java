package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.PinnedVersions;
import dev.pgcdc.testkit.environment.Provisioning;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.testcontainers.kafka.KafkaContainer;

/**
 * A Kafka broker in a Docker container started by Testcontainers (image {@code apache/kafka} of the
 * pinned version), with topic auto-creation off like a {@link KafkaBroker}. Testcontainers stops it
 * when the JVM exits.
 */
final class ContainerKafka implements KafkaCluster {
    private final KafkaContainer container;

    private ContainerKafka(KafkaContainer container) {
        this.container = container;
    }

    static ContainerKafka start() {
        KafkaContainer container = new KafkaContainer("apache/kafka:" + PinnedVersions.kafkaBroker())
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        return new ContainerKafka(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return properties;
    }

    @Override
    public String description() {
        return "Kafka " + PinnedVersions.kafkaBroker() + " on " + bootstrapServers() + " ("
                + Provisioning.TESTCONTAINERS.label() + ", " + container.getDockerImageName() + ")";
    }
}
