package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.position.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the last committed position of exactly-once mode back from the offsets topic: partition 0,
 * from the beginning to the last stable offset, {@code read_committed}, the last value whose key is
 * the transactional id. The writer puts each transaction's last position there, so what this finds
 * is the last event whose records are committed. Opens and closes its own consumer.
 */
final class OffsetsTopic {

    private OffsetsTopic() {
    }

    static Optional<Position> readCommittedPosition(Map<String, Object> consumerProperties, String topic, String transactionalId,
                                                    Duration timeout) {
        byte[] key = transactionalId.getBytes(StandardCharsets.UTF_8);
        TopicPartition partition = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), timeout).get(partition);
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = null;
            while (consumer.position(partition, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new SinkException("reading the offsets topic " + topic + " up to offset " + end + " took longer than " + timeout
                            + "; check the brokers");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(record.key(), key)) {
                        last = record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
                    }
                }
            }
            return Optional.ofNullable(last).map(text -> parse(text, topic, transactionalId));
        } catch (KafkaException e) {
            throw new SinkException("cannot read the last committed position from the offsets topic " + topic + ": " + e
                    + SinkErrors.hint(e), e);
        }
    }

    private static Position parse(String text, String topic, String transactionalId) {
        try {
            return Position.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SinkException("the offsets topic " + topic + " holds \"" + text + "\" for " + transactionalId
                    + ", which is not a position; was the topic written by something else? " + e.getMessage(), e);
        }
    }
}
