package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic with a consumer that is assigned every partition (no consumer group, no
 * committed offsets), from the beginning. Behind {@link KafkaCluster#readAll} and friends.
 */
final class TopicReader<K, V> {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaCluster cluster;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;

    private TopicReader(KafkaCluster cluster, Deserializer<K> keys, Deserializer<V> values) {
        this.cluster = cluster;
        this.keys = keys;
        this.values = values;
    }

    static TopicReader<String, String> strings(KafkaCluster cluster) {
        return new TopicReader<>(cluster, new StringDeserializer(), new StringDeserializer());
    }

    static TopicReader<byte[], byte[]> bytes(KafkaCluster cluster) {
        return new TopicReader<>(cluster, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every record up to the end offsets (the last stable offsets under read_committed) taken now. */
    List<ConsumerRecord<K, V>> readToEnd(String topic, IsolationLevel isolation) {
        try (KafkaConsumer<K, V> consumer = open(isolation)) {
            List<TopicPartition> partitions = assignFromBeginning(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<K, V>> records = new ArrayList<>();
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new TestEnvironmentException("could not read topic " + topic + " up to " + end
                            + " within " + READ_TIMEOUT + "; read " + records.size() + " records");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** Reads from the beginning until at least {@code count} records came, or fails with an {@link AssertionError}. */
    List<ConsumerRecord<K, V>> readAtLeast(String topic, int count, Duration timeout, IsolationLevel isolation) {
        try (KafkaConsumer<K, V> consumer = open(isolation)) {
            assignFromBeginning(consumer, topic);
            List<ConsumerRecord<K, V>> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
            if (records.size() < count) {
                throw new AssertionError("expected at least " + count + " records in topic " + topic + " within "
                        + timeout + ", found " + records.size());
            }
            return records;
        }
    }

    private KafkaConsumer<K, V> open(IsolationLevel isolation) {
        Map<String, Object> properties = cluster.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        return new KafkaConsumer<>(properties, keys, values);
    }

    private static List<TopicPartition> assignFromBeginning(KafkaConsumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new TestEnvironmentException("topic " + topic + " does not exist; create it with KafkaCluster.createTopic");
        }
        List<TopicPartition> partitions = infos.stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue());
    }
}
