package dev.pgcdc.testkit.kafka;

import dev.pgcdc.testkit.environment.TestEnvironmentException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka cluster a test can use: how to reach it (with any security settings it needs), and
 * shortcuts to create topics, write records and read them back. Obtained from
 * {@link TestKafka#shared()} or a {@link KafkaBroker}.
 *
 * <p>Topics are never created automatically: a test creates its own, named with
 * {@code TestNames.unique}. The shortcuts open their own clients and close them, and are
 * thread-safe; failures come back as {@link TestEnvironmentException}.
 */
public interface KafkaCluster {

    /** {@code host:port[,host:port...]} of the listener clients use. */
    String bootstrapServers();

    /**
     * Everything a client needs to connect: {@code bootstrap.servers} plus, on a secured listener,
     * {@code security.protocol}, SASL and trust store settings. A new mutable map each call.
     */
    Map<String, Object> clientProperties();

    /** One line for logs: version, address and where the broker comes from. */
    String description();

    /** A new admin client; the caller closes it. */
    default Admin admin() {
        return Admin.create(clientProperties());
    }

    /** Creates a topic with one partition and waits for it. Returns {@code name}. */
    default String createTopic(String name) {
        return createTopic(name, 1);
    }

    /**
     * Creates a topic with {@code partitions} partitions (replication factor: the cluster default)
     * and waits until the creation is acknowledged. Returns {@code name}.
     */
    default String createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    /** Creates a topic with topic-level configs (such as {@code cleanup.policy=compact}). Returns {@code name}. */
    default String createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty()).configs(configs);
            admin.createTopics(Set.of(topic)).all().get(30, TimeUnit.SECONDS);
            return name;
        } catch (ExecutionException | TimeoutException e) {
            throw new TestEnvironmentException("cannot create topic " + name + " on " + bootstrapServers() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted while creating topic " + name, e);
        }
    }

    /** A new producer of string keys and values ({@code acks=all}); the caller closes it. */
    default KafkaProducer<String, String> newProducer() {
        Map<String, Object> properties = clientProperties();
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    /** Writes one record and waits for its acknowledgement. */
    default RecordMetadata send(String topic, String key, String value) {
        try (KafkaProducer<String, String> producer = newProducer()) {
            return producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new TestEnvironmentException("cannot write to topic " + topic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestEnvironmentException("interrupted while writing to topic " + topic, e);
        }
    }

    /**
     * Every record the topic holds now (up to the end offsets taken when called), all partitions,
     * keys and values as UTF-8 strings, including records of open or aborted transactions.
     */
    default List<ConsumerRecord<String, String>> readAll(String topic) {
        return TopicReader.strings(this).readToEnd(topic, IsolationLevel.READ_UNCOMMITTED);
    }

    /** Like {@link #readAll} but {@code read_committed}: only committed transactional records, up to the last stable offset. */
    default List<ConsumerRecord<String, String>> readAllCommitted(String topic) {
        return TopicReader.strings(this).readToEnd(topic, IsolationLevel.READ_COMMITTED);
    }

    /** Every record the topic holds now, with raw keys and values. */
    default List<ConsumerRecord<byte[], byte[]>> readAllBytes(String topic) {
        return TopicReader.bytes(this).readToEnd(topic, IsolationLevel.READ_UNCOMMITTED);
    }

    /**
     * Reads the topic from the beginning until it holds at least {@code count} records, and returns
     * all it read; throws an {@link AssertionError} saying how many it found if {@code timeout}
     * passes first.
     */
    default List<ConsumerRecord<String, String>> awaitRecords(String topic, int count, Duration timeout) {
        return TopicReader.strings(this).readAtLeast(topic, count, timeout, IsolationLevel.READ_UNCOMMITTED);
    }
}
