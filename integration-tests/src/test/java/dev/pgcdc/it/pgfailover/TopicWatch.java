package dev.pgcdc.it.pgfailover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic of the json handler from the beginning on a thread of its own, as a downstream
 * consumer would, and notes when each row id ({@code after.id}) was first seen ({@link System#nanoTime()}),
 * so a test can tell when the first record written after an event arrived. Thread-safe.
 */
final class TopicWatch implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final Map<Integer, Long> firstSeen = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;

    private TopicWatch(KafkaCluster kafka, String topic) {
        Map<String, Object> properties = kafka.clientProperties();
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "it-topic-watch-" + topic);
        thread.setDaemon(true);
    }

    static TopicWatch start(KafkaCluster kafka, String topic) {
        TopicWatch watch = new TopicWatch(kafka, topic);
        watch.thread.start();
        return watch;
    }

    /** The ids seen so far. */
    Set<Integer> ids() {
        requireRunning();
        return Set.copyOf(firstSeen.keySet());
    }

    /** When {@code id} was first seen ({@link System#nanoTime()}); null while it was not. */
    Long firstSeen(int id) {
        requireRunning();
        return firstSeen.get(id);
    }

    private void requireRunning() {
        if (failure != null) {
            throw new AssertionError("reading the topic failed", failure);
        }
    }

    private void run() {
        try {
            while (!stopping) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                    JsonNode value = ChangeRecord.parse(record.value());
                    JsonNode after = value == null ? null : value.get("after");
                    if (after != null && after.has("id")) {
                        firstSeen.putIfAbsent(after.get("id").asInt(), System.nanoTime());
                    }
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
