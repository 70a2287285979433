package dev.pgcdc.it.service;

import dev.pgcdc.testkit.kafka.KafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic the way a downstream consumer would: a plain {@link KafkaConsumer} assigned every
 * partition from the beginning (no group), {@code read_uncommitted} (the default) or
 * {@code read_committed}, records parsed into {@link ChangeRecord}s in partition order.
 */
public final class TopicReader {

    private final KafkaCluster kafka;
    private final IsolationLevel isolation;

    private TopicReader(KafkaCluster kafka, IsolationLevel isolation) {
        this.kafka = kafka;
        this.isolation = isolation;
    }

    /** A consumer with Kafka's default isolation ({@code read_uncommitted}). */
    public static TopicReader of(KafkaCluster kafka) {
        return new TopicReader(kafka, IsolationLevel.READ_UNCOMMITTED);
    }

    /** A {@code read_committed} consumer, as exactly-once consumers are configured. */
    public static TopicReader readCommitted(KafkaCluster kafka) {
        return new TopicReader(kafka, IsolationLevel.READ_COMMITTED);
    }

    /** Every record up to the end offsets of now (for read_committed: the last stable offsets). */
    public List<ChangeRecord> readAll(String topic) {
        try (KafkaConsumer<String, String> consumer = open()) {
            List<TopicPartition> partitions = assign(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ChangeRecord> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within 60 s; read " + records.size());
                }
                consumer.poll(Duration.ofMillis(200)).forEach(record -> records.add(ChangeRecord.of(record)));
            }
            return records;
        }
    }

    /**
     * Hands every record up to the end offsets of now to {@code visitor}, partition by partition in
     * offset order within each, without keeping them (for topics too large to hold as trees); the
     * number of records. Fails if they could not be read within {@code timeout}.
     */
    public long scan(String topic, Duration timeout, java.util.function.Consumer<ChangeRecord> visitor) {
        try (KafkaConsumer<String, String> consumer = open()) {
            List<TopicPartition> partitions = assign(consumer, topic);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within " + timeout + "; read " + count);
                }
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    visitor.accept(ChangeRecord.of(record));
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * Reads from the beginning until at least {@code count} records came, and returns them; fails
     * saying how many came if {@code timeout} passes first.
     */
    public List<ChangeRecord> awaitAtLeast(String topic, int count, Duration timeout) {
        try (KafkaConsumer<String, String> consumer = open()) {
            assign(consumer, topic);
            List<ChangeRecord> records = new ArrayList<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(record -> records.add(ChangeRecord.of(record)));
            }
            if (records.size() < count) {
                throw new AssertionError("expected at least " + count + " records in " + topic + " (" + isolation
                        + ") within " + timeout + ", found " + records.size());
            }
            return records;
        }
    }

    /** Each partition's end offset now (for read_committed: its last stable offset). */
    public Map<Integer, Long> endOffsets(String topic) {
        try (KafkaConsumer<String, String> consumer = open()) {
            return endOffsets(consumer, assign(consumer, topic), Duration.ofSeconds(60));
        }
    }

    /** The sum of the partitions' end offsets (for read_committed: last stable offsets): cheap progress. */
    public long endOffsetSum(String topic) {
        try (KafkaConsumer<String, String> consumer = open()) {
            List<TopicPartition> partitions = assign(consumer, topic);
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** {@code consumer}'s end offsets of {@code partitions} by partition number; a Kafka TimeoutException after {@code timeout}. */
    static Map<Integer, Long> endOffsets(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions, Duration timeout) {
        Map<Integer, Long> offsets = new HashMap<>();
        consumer.endOffsets(partitions, timeout).forEach((partition, offset) -> offsets.put(partition.partition(), offset));
        return offsets;
    }

    private KafkaConsumer<String, String> open() {
        return open(Map.of());
    }

    /** A consumer of this reader's isolation, with {@code overrides} applied last. */
    KafkaConsumer<String, String> open(Map<String, Object> overrides) {
        Map<String, Object> properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT));
        properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        properties.putAll(overrides);
        return new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
    }

    static List<TopicPartition> assign(KafkaConsumer<?, ?> consumer, String topic) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition()))
                .toList();
        if (partitions.isEmpty()) {
            throw new AssertionError("topic " + topic + " does not exist");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }
}
