package dev.pgcdc.kafka;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.sink.Sink;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka {@link Sink}: writes each record to its topic (the record's own, or the one mapped to
 * the event's table) with a kafka-clients producer, and reports a write durable only when Kafka
 * has acknowledged every record of it. Two modes:
 * <ul>
 *   <li>default (at-least-once): an idempotent producer, acks=all, in-order retries until
 *       {@code delivery-timeout}; a record Kafka did not take stops the sink with a
 *       {@link SinkException} naming topic, partition, table and position, and no later write is
 *       reported durable;</li>
 *   <li>{@code exactly-once}: a transactional producer ({@code transactional.id} from the settings,
 *       which fences an older instance at start); each batch of events is committed in one
 *       transaction together with its last position in the compacted offsets topic, and
 *       {@link #committedPosition()} reads that position back at start so replayed events are
 *       skipped.</li>
 * </ul>
 * {@link #start()} checks that every mapped topic exists (or creates it when allowed), so a
 * missing topic, a wrong address or bad credentials fail at start with a message that says so.
 *
 * <p>Embedding: {@code new KafkaSink(KafkaSinkSettings.builder().bootstrapServers("localhost:9092")
 * .mapTable("public.users", "users").build())}. Threading as {@link Sink}: one owner thread calls
 * {@code start}, {@code write}, {@code flush} and {@code close}; callbacks run on the producer's
 * I/O thread (exactly-once: also on the commit timer thread).
 */
public final class KafkaSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    private final KafkaSinkSettings settings;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory;
    private final Function<Map<String, Object>, Admin> adminFactory;
    // owner thread only
    private Admin admin;
    private Producer<byte[], byte[]> producer;
    private RecordWriter writer;
    private Position committedPosition;
    private boolean closed;

    public KafkaSink(KafkaSinkSettings settings) {
        this(settings, KafkaSink::newProducer, Admin::create);
    }

    KafkaSink(KafkaSinkSettings settings, Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory,
              Function<Map<String, Object>, Admin> adminFactory) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.producerFactory = producerFactory;
        this.adminFactory = adminFactory;
    }

    public KafkaSinkSettings settings() {
        return settings;
    }

    /**
     * Connects, checks (or creates) the mapped topics and, in exactly-once mode, fences older
     * producers of the same transactional id and reads the last committed position.
     *
     * @throws ConfigurationException for settings kafka-clients rejects or PEM files that cannot be used
     * @throws SinkException          when Kafka cannot be reached, refuses the credentials or lacks a topic
     */
    @Override
    public void start() {
        if (writer != null || closed) {
            throw new IllegalStateException("the Kafka sink was started before");
        }
        Map<String, Object> producerProperties = ClientProperties.producer(settings);
        Map<String, Object> adminProperties = ClientProperties.admin(settings);
        try {
            admin = adminFactory.apply(adminProperties);
            TopicVerifier topics = new TopicVerifier(admin, settings);
            topics.verifyMappedTopics();
            topics.smallestMaxMessageBytes().ifPresent(max -> ClientProperties.capBatchSize(producerProperties, settings, max));
            producer = producerFactory.apply(producerProperties);
            RecordRouter router = new RecordRouter(settings.tableTopicMapping());
            if (settings.exactlyOnce()) {
                topics.ensureOffsetsTopic();
                producer.initTransactions();
                committedPosition = OffsetsTopic.readCommittedPosition(ClientProperties.offsetsConsumer(settings),
                        settings.offsetsTopic(), settings.transactionalId(), settings.requestTimeout().plusSeconds(30)).orElse(null);
                writer = new ExactlyOnceWriter(producer, router, topics, settings);
            } else {
                writer = new AtLeastOnceWriter(producer, router, topics, settings.requestTimeout());
            }
        } catch (RuntimeException e) {
            closeClients();
            throw startFailure(e);
        }
        LOG.info("Kafka sink started on {} ({}{}), topics {}", settings.bootstrapServers(),
                settings.exactlyOnce() ? "exactly-once, transactional.id " + settings.transactionalId() : "at-least-once",
                committedPosition == null ? "" : ", last committed position " + committedPosition, settings.tableTopicMapping().values());
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
        if (writer == null) {
            throw new IllegalStateException("the Kafka sink is not started");
        }
        writer.write(event, records, callback);
    }

    @Override
    public void flush() throws InterruptedException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Exactly-once: the position stored with the last committed transaction, read at start; otherwise empty. */
    @Override
    public Optional<Position> committedPosition() {
        return Optional.ofNullable(committedPosition);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeClients();
    }

    private void closeClients() {
        try {
            if (writer != null) {
                writer.close();
            } else if (producer != null) {
                producer.close(settings.requestTimeout());
            }
        } catch (RuntimeException e) {
            LOG.warn("closing the Kafka producer failed", e);
        }
        if (admin != null) {
            try {
                admin.close(settings.requestTimeout());
            } catch (RuntimeException e) {
                LOG.warn("closing the Kafka admin client failed", e);
            }
        }
        writer = null;
        producer = null;
        admin = null;
    }

    private CdcException startFailure(RuntimeException e) {
        if (e instanceof CdcException cdc) {
            return cdc;
        }
        if (e instanceof ConfigException) {
            return new ConfigurationException("pgcdc.kafka: kafka-clients rejected the producer settings: " + e.getMessage()
                    + " (check pgcdc.kafka.producer)");
        }
        if (e instanceof KafkaException) {
            return new SinkException("cannot start the Kafka sink on " + settings.bootstrapServers() + ": " + e + SinkErrors.hint(e), e);
        }
        return new SinkException("cannot start the Kafka sink on " + settings.bootstrapServers() + ": " + e, e);
    }

    private static Producer<byte[], byte[]> newProducer(Map<String, Object> properties) {
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
