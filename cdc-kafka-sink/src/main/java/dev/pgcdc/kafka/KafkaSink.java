package dev.pgcdc.kafka;

import dev.pgcdc.api.CdcException;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.position.StreamOrigin;
import dev.pgcdc.api.sink.Sink;
import java.util.Collection;
import dev.pgcdc.api.snapshot.ChunkLedger;
import dev.pgcdc.api.snapshot.ChunkMarks;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka {@link Sink}: writes each record to its topic (the record's own, or the one its table
 * is mapped to or the topic pattern names, see {@link TopicNames}) with a kafka-clients producer, and reports a write durable only when Kafka
 * has acknowledged every record of it. Two modes:
 * <ul>
 *   <li>default (at-least-once): an idempotent producer, acks=all, in-order retries until
 *       {@code delivery-timeout}; a record Kafka did not take stops the sink with a
 *       {@link SinkException} naming topic, partition, table and position, and no later write is
 *       reported durable;</li>
 *   <li>{@code exactly-once}: a transactional producer ({@code transactional.id} from the settings,
 *       which fences an older instance at start); each batch of events is committed in one
 *       transaction together with its last position and the stream's origin in the compacted
 *       offsets topic, and {@link #committedPosition()} reads that position back at start so
 *       replayed events are skipped; {@link #resume} refuses it when it belongs to another cluster
 *       or to WAL the server no longer has.</li>
 * </ul>
 * As the sink of an exactly-once snapshot it is also the {@link ChunkLedger}: {@link #commitChunks} makes it
 * write under the instance's own transactional id ({@link ChunkRecords#writerId}) and commit each chunk's
 * rows with its record; {@link #committedRows} fences a previous owner's id and reads a chunk's record.
 *
 * <p>{@link #start()} checks that every mapped topic and the pattern's topic of every captured table it
 * was given exist (or creates them when allowed), so a missing topic, a wrong address or bad
 * credentials fail at start with a message that says so; the pattern's topic of a table it was not
 * given (a publication of all tables) is checked the same way before its first record.
 *
 * <p>Embedding: {@code new KafkaSink(KafkaSinkSettings.builder().bootstrapServers("localhost:9092")
 * .mapTable("public.users", "users").build())}. Threading as {@link Sink}: one owner thread calls
 * {@code start}, {@code write}, {@code flush} and {@code close}; callbacks run on the producer's
 * I/O thread (exactly-once: also on the commit thread).
 *
 * <p>Shutdown is bounded: {@link #flush()} answers an interrupt with {@link InterruptedException},
 * and returns at once after a failure; {@link #close()} closes the producer with
 * {@code request-timeout} (at once on an interrupted thread).
 */
public final class KafkaSink implements Sink, ChunkLedger {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    /** The configured settings; the stream's transactional id and the chunk records' keys come from them. */
    private final KafkaSinkSettings configured;
    /** What the producer writes with: the configured settings, or a snapshot instance's own transactional id; set before start. */
    private volatile KafkaSinkSettings settings;
    /** Snapshot chunks this sink commits ({@link #commitChunks}), or null; set before start. */
    private volatile ChunkMarks chunkMarks;
    private volatile String chunkInstance;
    private final TopicNames names;
    private final List<TableId> capturedTables;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory;
    private final Function<Map<String, Object>, Admin> adminFactory;
    // owner thread only
    private Admin admin;
    private Producer<byte[], byte[]> producer;
    private RecordWriter writer;
    private StoredPosition stored;
    private boolean closed;

    public KafkaSink(KafkaSinkSettings settings) {
        this(settings, List.of());
    }

    /** @param capturedTables the tables the publication lists: the pattern's topics of these are checked at start */
    public KafkaSink(KafkaSinkSettings settings, List<TableId> capturedTables) {
        this(settings, capturedTables, KafkaSink::newProducer, Admin::create);
    }

    KafkaSink(KafkaSinkSettings settings, Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory,
              Function<Map<String, Object>, Admin> adminFactory) {
        this(settings, List.of(), producerFactory, adminFactory);
    }

    KafkaSink(KafkaSinkSettings settings, List<TableId> capturedTables, Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory,
              Function<Map<String, Object>, Admin> adminFactory) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.configured = settings;
        this.names = TopicNames.of(settings);
        this.capturedTables = List.copyOf(capturedTables);
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
        Map<String, List<TableId>> tablesByTopic = names.tablesByTopic(capturedTables);
        try {
            admin = adminFactory.apply(adminProperties);
            TopicVerifier topics = new TopicVerifier(admin, settings);
            topics.verifyTableTopics(tablesByTopic);
            topics.smallestMaxMessageBytes(tablesByTopic.keySet()).ifPresent(max -> ClientProperties.capBatchSize(producerProperties, settings, max));
            producer = producerFactory.apply(producerProperties);
            RecordRouter router = new RecordRouter(names, topics);
            if (settings.exactlyOnce()) {
                int partitions = topics.ensureOffsetsTopic();
                int offsetsPartition = OffsetsTopic.partitionOf(settings.transactionalId(), partitions);
                // settles our own last transaction (commits or aborts it), so that what is read next is final
                producer.initTransactions();
                stored = new OffsetsTopic(admin, KafkaSink::newOffsetsConsumer, settings).readCommittedPosition(offsetsPartition).orElse(null);
                ChunkRecords chunks = chunkMarks == null ? null
                        : new ChunkRecords(configured.transactionalId(), chunkInstance, chunkMarks, settings.offsetsTopic(), partitions);
                writer = new ExactlyOnceWriter(producer, router, topics, settings, offsetsPartition, System::nanoTime, chunks);
            } else {
                writer = new AtLeastOnceWriter(producer, router, topics, settings.requestTimeout());
            }
            warmUp(producer, tablesByTopic.keySet());
        } catch (RuntimeException e) {
            closeClients();
            throw startFailure(e);
        }
        LOG.info("Kafka sink started on {} ({}{}), topics {}", settings.bootstrapServers(),
                settings.exactlyOnce() ? "exactly-once, transactional.id " + settings.transactionalId() : "at-least-once",
                stored == null ? "" : ", last committed position " + stored.position()
                        + stored.origin().map(origin -> " of " + origin.describe()).orElse(""), tablesByTopic.keySet()
                        + (names.hasPattern() ? " and by pattern " + (settings.topicPattern() != null ? settings.topicPattern()
                        : TopicNames.DEBEZIUM_PATTERN) + " (prefix " + settings.topicPrefix() + ")" : ""));
        for (String warning : settings.warnings()) {
            LOG.warn(warning);
        }
    }

    /**
     * At-least-once: true, a passive instance may start this sink while it waits for the slot (the
     * idempotent producer disturbs no other). Exactly-once: false, {@code initTransactions} would
     * fence the producer of the active instance, which writes under the same transactional id.
     */
    @Override
    public boolean startsBeforeTheSource() {
        return !settings.exactlyOnce();
    }

    /**
     * Exactly-once: checks the stored position against the source's origin and stores the origin with
     * every position from now on. A position stored under another cluster, or past the server's WAL
     * end, is refused with what to do; one stored by an earlier version without an origin is accepted
     * (checked against the WAL end only) with a warning.
     *
     * @throws SinkException when the stored position does not belong to this stream
     */
    @Override
    public Optional<Position> resume(Optional<StreamOrigin> origin) {
        if (writer == null) {
            throw new IllegalStateException("the Kafka sink is not started");
        }
        if (!(writer instanceof ExactlyOnceWriter exactlyOnce)) {
            return Optional.empty();
        }
        if (origin.isEmpty()) {
            if (stored != null && stored.origin().isPresent()) {
                LOG.warn("the source reports no origin, so the position {} stored in {} for {} cannot be checked against {}; it is used as it is",
                        stored.position(), settings.offsetsTopic(), settings.transactionalId(), stored.origin().get().describe());
            }
            return committedPosition();
        }
        if (stored != null) {
            checkOrigin(stored, origin.get(), settings);
        }
        exactlyOnce.storeOrigin(origin.get());
        return committedPosition();
    }

    /**
     * Refuses {@code stored} when it conflicts with the source's {@code current} origin; warns when it
     * has no origin (written by an earlier version), checking only the WAL end then.
     */
    static void checkOrigin(StoredPosition stored, StreamOrigin current, KafkaSinkSettings settings) {
        StreamOrigin storedOrigin = stored.origin().orElse(null);
        if (storedOrigin == null) {
            LOG.warn("the position {} stored in {} for {} has no origin (it was written by an earlier pgcdc version), so it cannot be"
                    + " checked against the cluster; it is taken to belong to {} and stored with it from now on",
                    stored.position(), settings.offsetsTopic(), settings.transactionalId(), current.describe());
            storedOrigin = new StreamOrigin(current.systemId(), current.timeline(), Lsn.INVALID);
        }
        Optional<String> conflict = current.conflictWith(storedOrigin, stored.position());
        if (conflict.isPresent()) {
            throw new SinkException("exactly-once: refusing to resume from the position stored in the offsets topic "
                    + settings.offsetsTopic() + " for " + settings.transactionalId() + ": " + conflict.get()
                    + ". Resuming would skip every change up to " + stored.position() + " as already written. If this server is the"
                    + " one to stream from, delete the stored position (its changes are then sent from the slot's position on): "
                    + "echo '" + settings.transactionalId() + "|NULL' | kafka-console-producer.sh --bootstrap-server "
                    + settings.bootstrapServers() + " --topic " + settings.offsetsTopic()
                    + " --property parse.key=true --property key.separator='|' --property null.marker=NULL"
                    + " (or set pgcdc.kafka.offsets-topic to a new topic); otherwise point pgcdc.postgres at the cluster it streamed from");
        }
    }

    @Override
    public boolean commitsExactlyOnce() {
        return configured.exactlyOnce();
    }

    /** Writes under {@code <transactional-id>-snapshot-<instanceId>} from now on, committing whole chunks with their records. */
    @Override
    public void commitChunks(String instanceId, ChunkMarks marks) {
        if (writer != null || closed) {
            throw new IllegalStateException("the Kafka sink is started; chunks are set before the start");
        }
        if (!configured.exactlyOnce()) {
            throw new IllegalStateException("the Kafka sink writes at least once; chunk records need pgcdc.kafka.exactly-once = true");
        }
        chunkInstance = Objects.requireNonNull(instanceId, "instanceId");
        chunkMarks = Objects.requireNonNull(marks, "marks");
        settings = configured.toBuilder().transactionalId(ChunkRecords.writerId(configured.transactionalId(), instanceId)).build();
    }

    /**
     * Fences {@code previousOwner}'s snapshot transactional id (initialising a producer with it aborts its open
     * transaction, and its own producer can commit nothing more), unless it is this instance's, whose producer
     * fenced its earlier incarnation at start; then reads the chunk's record read_committed. Uses clients of its own.
     */
    @Override
    public OptionalLong committedRows(String jobRun, long chunkId, String previousOwner) {
        if (!previousOwner.equals(chunkInstance)) {
            fence(ChunkRecords.writerId(configured.transactionalId(), previousOwner));
        }
        try (Admin reader = adminFactory.apply(ClientProperties.admin(configured))) {
            int partitions = new TopicVerifier(reader, configured).ensureOffsetsTopic();
            ChunkRecords records = new ChunkRecords(configured.transactionalId(), null, null, configured.offsetsTopic(), partitions);
            String key = records.key(jobRun, chunkId);
            Optional<String> value = new OffsetsTopic(reader, KafkaSink::newOffsetsConsumer, configured)
                    .readCommitted(records.partition(jobRun), key, "the record of snapshot chunk " + chunkId + " (" + key + ")");
            try {
                return value.map(ChunkRecords::rows).orElse(OptionalLong.empty());
            } catch (IllegalArgumentException e) {
                throw new SinkException("the offsets topic " + configured.offsetsTopic() + " holds \"" + value.get() + "\" for " + key
                        + ", which is not a chunk record: " + e.getMessage(), e);
            }
        } catch (KafkaException e) {
            throw new SinkException("cannot read the record of snapshot chunk " + chunkId + " of " + jobRun + " from "
                    + configured.offsetsTopic() + ": " + e + SinkErrors.hint(e), e);
        }
    }

    private void fence(String transactionalId) {
        Map<String, Object> properties = ClientProperties.producer(configured.toBuilder().transactionalId(transactionalId).build());
        Producer<byte[], byte[]> fencer = producerFactory.apply(properties);
        try {
            fencer.initTransactions(); // ends the fenced id's open transaction (aborts it, or finishes its commit)
            LOG.info("fenced the Kafka transactional id {} of a previous chunk owner", transactionalId);
        } catch (KafkaException e) {
            throw new SinkException("cannot fence the Kafka transactional id " + transactionalId + " of a previous snapshot chunk owner: " + e
                    + SinkErrors.hint(e), e);
        } finally {
            fencer.close(configured.requestTimeout());
        }
    }

    @Override
    public void write(ChangeEvent event, List<OutRecord> records, WriteCallback callback) {
        if (writer == null) {
            throw new IllegalStateException("the Kafka sink is not started");
        }
        writer.write(event, records, callback);
    }

    /** Blocks until every write so far is durable or failed; throws the sink's failure if it failed; answers an interrupt. */
    @Override
    public void flush() throws InterruptedException {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Exactly-once: the position stored with the last committed transaction, read at start; otherwise empty. */
    @Override
    public Optional<Position> committedPosition() {
        return Optional.ofNullable(stored).map(StoredPosition::position);
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

    /**
     * Fetches the partitions of the topics known at start through the producer, so that it is connected and its
     * metadata is current before the first write (which would otherwise wait for both): what a
     * takeover of a passive instance that started this sink ahead gains.
     */
    private static void warmUp(Producer<byte[], byte[]> started, Collection<String> topics) {
        for (String topic : topics) {
            started.partitionsFor(topic);
        }
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

    private static Consumer<byte[], byte[]> newOffsetsConsumer(Map<String, Object> properties) {
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static Producer<byte[], byte[]> newProducer(Map<String, Object> properties) {
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
