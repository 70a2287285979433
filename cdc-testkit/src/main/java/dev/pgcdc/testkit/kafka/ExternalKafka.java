package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.Provisioning;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * A Kafka cluster the test kit did not start, named by {@code PGCDC_IT_KAFKA_BOOTSTRAP} (PLAINTEXT).
 * Never stopped by the test kit.
 */
record ExternalKafka(String bootstrapServers) implements KafkaCluster {

    @Override
    public Map<String, Object> clientProperties() {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return properties;
    }

    @Override
    public String description() {
        return "Kafka (" + BrokerFeatures.metadataVersion(this) + ") on " + bootstrapServers
                + " (" + Provisioning.EXTERNAL.label() + ")";
    }
}
