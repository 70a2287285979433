package dev.pgcdc.kafka;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Secrets;
import dev.pgcdc.api.plugin.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the {@link KafkaSink} needs, immutable and validated: build it with {@link #builder()}
 * (defaults as in {@code reference.conf}) or read it with {@link #from(PluginConfig)} from the
 * {@code pgcdc.kafka} section. Invalid settings fail with one {@link ConfigurationException} listing
 * every problem. {@link #toString()} masks secrets.
 *
 * @param bootstrapServers       {@code host:port[,host:port...]}
 * @param tableTopicMapping      table to topic; it wins over {@code topicPattern}
 * @param topicPattern           topic of a table not in the mapping, {@code ${prefix}}, {@code ${schema}} and {@code ${table}}
 *                               replaced ({@link TopicNames}); null: {@value TopicNames#DEBEZIUM_PATTERN} when there is a
 *                               {@code topicPrefix}, else none (an event of a table not mapped is then an error)
 * @param topicPrefix            {@code ${prefix}} of the pattern, or null; the service sets the Debezium envelopes'
 *                               {@code debezium.name} ({@code source.name}, Debezium's {@code topic.prefix})
 * @param batchSize              exactly-once: events per transaction at most
 * @param batchBytes             record bytes per producer batch (capped by {@code max.request.size}); exactly-once: per transaction
 * @param linger                 how long a producer batch waits to fill (the producer's {@code linger.ms})
 * @param transactionInterval    exactly-once: how long a transaction stays open at most; zero: committed once the stream
 *                               pauses for 1 ms, or after 100 ms
 * @param compression            codec of the batches written
 * @param partitioner            how records are spread over a topic's partitions
 * @param acks                   how many replicas confirm a write ({@link Acks#ALL} for durability)
 * @param maxAttempts            sends per batch at most, {@link #UNBOUNDED_ATTEMPTS} for as many as the delivery timeout allows
 * @param requestTimeout         one request to a broker
 * @param deliveryTimeout        a record's whole delivery, retries included; past it the write fails
 * @param tls                    TLS to the brokers
 * @param sasl                   SASL authentication
 * @param metadataMaxAge         how often topic metadata is refreshed at least
 * @param clientId               the producer's {@code client.id}
 * @param allowAutoTopicCreation create missing mapped topics at start instead of failing
 * @param topicPartitions        partitions of topics created at start, -1 for the broker's default
 * @param topicReplicationFactor replication factor of topics created at start (and of the offsets topic), -1 for the broker's default
 * @param topicMinInsyncReplicas {@code min.insync.replicas} of topics created at start, -1 for the broker's default (the
 *                               offsets topic then gets its replication factor - 1, at least 1)
 * @param exactlyOnce            transactional mode: batches committed with their last position
 * @param transactionalId        exactly-once: the producer's {@code transactional.id} and the offsets key (the service sets {@code pgcdc-<slot.name>})
 * @param offsetsTopic           exactly-once: compacted topic holding the last committed position
 * @param producerOverrides      raw producer properties, applied last
 */
public record KafkaSinkSettings(
        String bootstrapServers,
        Map<TableId, String> tableTopicMapping,
        String topicPattern,
        String topicPrefix,
        int batchSize,
        long batchBytes,
        Duration linger,
        Duration transactionInterval,
        Compression compression,
        Partitioner partitioner,
        Acks acks,
        int maxAttempts,
        Duration requestTimeout,
        Duration deliveryTimeout,
        TlsSettings tls,
        SaslSettings sasl,
        Duration metadataMaxAge,
        String clientId,
        boolean allowAutoTopicCreation,
        int topicPartitions,
        int topicReplicationFactor,
        int topicMinInsyncReplicas,
        boolean exactlyOnce,
        String transactionalId,
        String offsetsTopic,
        Map<String, String> producerOverrides) {

    /** {@link #maxAttempts} meaning "retry until the delivery timeout". */
    public static final int UNBOUNDED_ATTEMPTS = Integer.MAX_VALUE;

    static final String PREFIX = "pgcdc.kafka.";

    /** Batch compression codecs. */
    public enum Compression {
        NONE, GZIP, SNAPPY, LZ4, ZSTD;

        /** The configuration spelling, which is also Kafka's {@code compression.type}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * How records are spread over partitions. The keyed ones put a key on the partition kafka-go's
     * balancer of the same hash does (go-pq-cdc-kafka's {@code kafka.balancer}): {@code Hash} is
     * {@link #FNV1A}, {@code ReferenceHash} {@link #REFERENCE_HASH}, {@code CRC32Balancer}
     * {@link #CRC32}, {@code Murmur2Balancer} {@link #HASH}; {@code RoundRobin} and {@code LeastBytes}
     * ignore keys ({@link #ROUND_ROBIN}, {@link #LEAST_BYTES}).
     */
    public enum Partitioner {
        /** murmur2 of the key, Kafka's default (kafka-go's {@code Murmur2Balancer}): a key always lands on the same partition. */
        HASH("hash"),
        /** Each record to the next partition, keys ignored: no per-key order (kafka-go's {@code RoundRobin}). */
        ROUND_ROBIN("round-robin"),
        /** Kafka's adaptive uniform sticky partitioning with keys ignored: more to faster brokers; no per-key order. */
        LEAST_LOADED("least-loaded"),
        /** Each record to the partition with the fewest bytes sent so far, keys ignored (kafka-go's {@code LeastBytes}). */
        LEAST_BYTES("least-bytes"),
        /** CRC-32 (IEEE) of the key modulo the partition count, like librdkafka's {@code consistent_random} and kafka-go's {@code CRC32Balancer}. */
        CRC32("crc32"),
        /** FNV-1a 32-bit of the key, signed remainder made positive: kafka-go's {@code Hash} (go-pq-cdc-kafka's default) and Sarama's default. */
        FNV1A("fnv1a"),
        /** FNV-1a 32-bit of the key with the sign bit cleared: Sarama's reference hash partitioner and kafka-go's {@code ReferenceHash}. */
        REFERENCE_HASH("reference-hash");

        private final String configName;

        Partitioner(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** Whether records of one key always go to one partition (and so keep their order). */
        public boolean keepsKeyOrder() {
            return this != ROUND_ROBIN && this != LEAST_LOADED && this != LEAST_BYTES;
        }
    }

    /** Replica acknowledgements a write waits for. */
    public enum Acks {
        NONE("0"), LEADER("1"), ALL("all");

        private final String configName;

        Acks(String configName) {
            this.configName = configName;
        }

        /** The configuration spelling, which is also Kafka's {@code acks}. */
        public String configName() {
            return configName;
        }
    }

    public KafkaSinkSettings {
        tableTopicMapping = tableTopicMapping == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tableTopicMapping));
        producerOverrides = producerOverrides == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(producerOverrides));
        tls = tls == null ? TlsSettings.disabled() : tls;
        sasl = sasl == null ? SaslSettings.none() : sasl;
        List<String> problems = new ArrayList<>();
        validateTopicNaming(problems, topicPattern, topicPrefix);
        validate(problems, bootstrapServers, tableTopicMapping, batchSize, batchBytes, linger, transactionInterval, compression, partitioner,
                acks, maxAttempts, requestTimeout, deliveryTimeout, metadataMaxAge, clientId, topicPartitions, topicReplicationFactor,
                topicMinInsyncReplicas, exactlyOnce, transactionalId, offsetsTopic);
        validateTls(problems, tls);
        validateSasl(problems, sasl);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the {@code pgcdc.kafka} section: every key of {@code reference.conf}, defaults for the
     * missing ones. Unknown keys are errors ({@code producer} is passed through as it is).
     *
     * @throws ConfigurationException listing every problem
     */
    public static KafkaSinkSettings from(PluginConfig config) {
        return KafkaSections.read(config);
    }

    /** The topic of {@code table} (mapped, or named by the pattern), or null. */
    public String topicFor(TableId table) {
        return TopicNames.of(this).topicOf(table);
    }

    /**
     * Checks that every table the service captures has a topic (the service calls this at start
     * with its publication's tables).
     *
     * @throws ConfigurationException naming each table without a topic
     */
    public void requireMappedTables(Collection<TableId> tables) {
        List<String> problems = unmappedTables(TopicNames.of(this), tables);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    /** One problem per table of {@code tables} that {@code names} have no topic for. */
    static List<String> unmappedTables(TopicNames names, Collection<TableId> tables) {
        List<String> problems = new ArrayList<>();
        for (TableId table : tables) {
            if (names.topicOf(table) == null) {
                problems.add(PREFIX + "table-topic-mapping has no topic for table " + table + "; add \"" + table + "\" = \"<topic>\""
                        + " or set " + PREFIX + "topic-pattern (e.g. \"" + TopicNames.DEBEZIUM_PATTERN + "\")");
            }
        }
        return problems;
    }

    /**
     * Settings that are valid but weaken the delivery guarantee, each as a sentence naming the key; the
     * sink logs them at start and {@code pgcdc validate} prints them. Empty for the defaults.
     */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        if (acks == Acks.NONE) {
            warnings.add(PREFIX + "acks = 0: a record counts as written as soon as it is sent, before any broker has stored it, and its"
                    + " position is then confirmed to PostgreSQL; a broker failure or a lost connection loses such records for good"
                    + " (the slot has moved past them), and they are not retried. Only acks = all (the default) keeps at-least-once delivery");
        } else if (acks == Acks.LEADER) {
            warnings.add(PREFIX + "acks = 1: a record counts as written once the partition leader has stored it, before any replica has,"
                    + " and its position is then confirmed to PostgreSQL; if that broker fails before a replica copied the record, it is"
                    + " lost for good (the slot has moved past it). Only acks = all (the default) keeps at-least-once delivery");
        }
        return List.copyOf(warnings);
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.bootstrapServers = bootstrapServers;
        builder.tableTopicMapping = new LinkedHashMap<>(tableTopicMapping);
        builder.topicPattern = topicPattern;
        builder.topicPrefix = topicPrefix;
        builder.batchSize = batchSize;
        builder.batchBytes = batchBytes;
        builder.linger = linger;
        builder.transactionInterval = transactionInterval;
        builder.compression = compression;
        builder.partitioner = partitioner;
        builder.acks = acks;
        builder.maxAttempts = maxAttempts;
        builder.requestTimeout = requestTimeout;
        builder.deliveryTimeout = deliveryTimeout;
        builder.tls = tls;
        builder.sasl = sasl;
        builder.metadataMaxAge = metadataMaxAge;
        builder.clientId = clientId;
        builder.allowAutoTopicCreation = allowAutoTopicCreation;
        builder.topicPartitions = topicPartitions;
        builder.topicReplicationFactor = topicReplicationFactor;
        builder.topicMinInsyncReplicas = topicMinInsyncReplicas;
        builder.exactlyOnce = exactlyOnce;
        builder.transactionalId = transactionalId;
        builder.offsetsTopic = offsetsTopic;
        builder.producerOverrides = new LinkedHashMap<>(producerOverrides);
        return builder;
    }

    @Override
    public String toString() {
        Map<String, String> maskedOverrides = new LinkedHashMap<>();
        producerOverrides.forEach((key, value) -> maskedOverrides.put(key, Secrets.isSecret(key) ? Secrets.MASK : value));
        return "KafkaSinkSettings[bootstrapServers=" + bootstrapServers + ", tableTopicMapping=" + tableTopicMapping
                + ", topicPattern=" + topicPattern + ", topicPrefix=" + topicPrefix
                + ", batchSize=" + batchSize + ", batchBytes=" + batchBytes + ", linger=" + linger + ", transactionInterval=" + transactionInterval
                + ", compression=" + compression
                + ", partitioner=" + partitioner + ", acks=" + acks
                + ", maxAttempts=" + (maxAttempts == UNBOUNDED_ATTEMPTS ? "unbounded" : String.valueOf(maxAttempts))
                + ", requestTimeout=" + requestTimeout + ", deliveryTimeout=" + deliveryTimeout + ", tls=" + tls + ", sasl=" + sasl
                + ", metadataMaxAge=" + metadataMaxAge + ", clientId=" + clientId + ", allowAutoTopicCreation=" + allowAutoTopicCreation
                + ", topicPartitions=" + topicPartitions + ", topicReplicationFactor=" + topicReplicationFactor
                + ", topicMinInsyncReplicas=" + topicMinInsyncReplicas
                + ", exactlyOnce=" + exactlyOnce + ", transactionalId=" + transactionalId + ", offsetsTopic=" + offsetsTopic
                + ", producerOverrides=" + maskedOverrides + "]";
    }

    private static void validate(List<String> problems, String bootstrapServers, Map<TableId, String> mapping, int batchSize,
                                 long batchBytes, Duration linger, Duration transactionInterval, Compression compression,
                                 Partitioner partitioner, Acks acks, int maxAttempts, Duration requestTimeout, Duration deliveryTimeout,
                                 Duration metadataMaxAge, String clientId, int topicPartitions, int topicReplicationFactor,
                                 int topicMinInsyncReplicas, boolean exactlyOnce, String transactionalId, String offsetsTopic) {
        Problems checked = new Problems();
        KafkaSections.SECTION.check(checked, KafkaSections.BOOTSTRAP_SERVERS, bootstrapServers, KafkaSections.BATCH_SIZE, batchSize,
                KafkaSections.BATCH_BYTES, batchBytes, KafkaSections.LINGER, linger,
                KafkaSections.TRANSACTION_INTERVAL, transactionInterval, KafkaSections.MAX_ATTEMPTS, maxAttempts,
                KafkaSections.REQUEST_TIMEOUT, requestTimeout, KafkaSections.DELIVERY_TIMEOUT, deliveryTimeout,
                KafkaSections.METADATA_MAX_AGE, metadataMaxAge, KafkaSections.TOPIC_PARTITIONS, topicPartitions,
                KafkaSections.TOPIC_REPLICATION_FACTOR, topicReplicationFactor, KafkaSections.TOPIC_MIN_INSYNC_REPLICAS, topicMinInsyncReplicas);
        problems.addAll(checked.list());
        // no mapping is fine for handlers that name each record's topic; requireMappedTables checks
        // the captured tables when the handler relies on the mapping (the json handler)
        mapping.forEach((table, topic) -> {
            String problem = topicNameProblem(topic);
            if (problem != null) {
                problems.add(PREFIX + "table-topic-mapping.\"" + table + "\" = \"" + topic + "\": " + problem);
            }
        });
        for (Object[] required : new Object[][] {{linger, "linger"}, {transactionInterval, "transaction-interval"},
            {requestTimeout, "request-timeout"}, {deliveryTimeout, "delivery-timeout"},
            {metadataMaxAge, "metadata-max-age"}}) {
            if (required[0] == null) {
                problems.add(PREFIX + required[1] + " must be set; allowed: a duration such as 500ms, 30s or 2m");
            }
        }
        requireSet(problems, compression, "compression", "none, gzip, snappy, lz4, zstd");
        requireSet(problems, partitioner, "partitioner", "hash, round-robin, least-loaded, least-bytes, crc32, fnv1a, reference-hash");
        requireSet(problems, acks, "acks", "0, 1, all");
        if (linger != null && requestTimeout != null && deliveryTimeout != null && !linger.isNegative()
                && deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
            problems.add(PREFIX + "delivery-timeout = " + deliveryTimeout + " must be at least linger + request-timeout ("
                    + linger.plus(requestTimeout) + ")");
        }
        if (clientId == null || clientId.isBlank()) {
            problems.add(PREFIX + "client-id must not be empty");
        }
        if (topicMinInsyncReplicas >= 1 && topicReplicationFactor >= 1 && topicMinInsyncReplicas > topicReplicationFactor) {
            problems.add(PREFIX + "topic-min-insync-replicas = " + topicMinInsyncReplicas + " must not exceed topic-replication-factor = "
                    + topicReplicationFactor + " (no write could ever succeed)");
        }
        String offsetsProblem = topicNameProblem(offsetsTopic);
        if (offsetsProblem != null) {
            problems.add(PREFIX + "offsets-topic = \"" + offsetsTopic + "\": " + offsetsProblem);
        }
        if (exactlyOnce) {
            if (transactionalId == null || transactionalId.isBlank()) {
                problems.add(PREFIX + "transactional-id is required when " + PREFIX
                        + "exactly-once = true (the service sets it to pgcdc-<slot.name>)");
            }
            if (acks != null && acks != Acks.ALL) {
                problems.add(PREFIX + "acks = " + acks.configName() + " is not allowed with " + PREFIX + "exactly-once = true; allowed: all");
            }
            if (maxAttempts == 1) {
                problems.add(PREFIX + "max-attempts = 1 is not allowed with " + PREFIX + "exactly-once = true (transactions need retries)");
            }
        }
    }

    private static void validateTopicNaming(List<String> problems, String topicPattern, String topicPrefix) {
        if (topicPrefix != null) {
            String problem = topicNameProblem(topicPrefix);
            if (problem != null) {
                problems.add(PREFIX + "topic-prefix = \"" + topicPrefix + "\": " + problem);
            }
        }
        if (topicPattern != null) {
            String problem = TopicNames.patternProblem(topicPattern, topicPrefix);
            if (problem != null) {
                problems.add(PREFIX + "topic-pattern = \"" + topicPattern + "\" " + problem);
            }
        }
    }

    private static void validateTls(List<String> problems, TlsSettings tls) {
        boolean anyFile = tls.caFile() != null || tls.clientCertFile() != null || tls.clientKeyFile() != null;
        if (!tls.enabled()) {
            if (anyFile) {
                problems.add(PREFIX + "tls has certificate files set but " + PREFIX + "tls.enabled = false; set it to true to use them");
            }
            return;
        }
        requireReadable(problems, tls.caFile(), "tls.ca-file");
        requireReadable(problems, tls.clientCertFile(), "tls.client-cert-file");
        requireReadable(problems, tls.clientKeyFile(), "tls.client-key-file");
        if ((tls.clientCertFile() == null) != (tls.clientKeyFile() == null)) {
            problems.add(PREFIX + "tls.client-cert-file and " + PREFIX + "tls.client-key-file must be set together");
        }
    }

    private static void validateSasl(List<String> problems, SaslSettings sasl) {
        if (!sasl.enabled()) {
            return;
        }
        if (sasl.username() == null || sasl.username().isEmpty()) {
            problems.add(PREFIX + "sasl.username is required with " + PREFIX + "sasl.mechanism = " + sasl.mechanism().kafkaName());
        }
        if (sasl.password() == null) {
            problems.add(PREFIX + "sasl.password is required with " + PREFIX + "sasl.mechanism = " + sasl.mechanism().kafkaName());
        }
    }

    private static void requireReadable(List<String> problems, Path file, String key) {
        if (file != null && !Files.isReadable(file)) {
            problems.add(PREFIX + key + " = \"" + file + "\" is not a readable file");
        }
    }

    private static void requireSet(List<String> problems, Object value, String key, String allowed) {
        if (value == null) {
            problems.add(PREFIX + key + " must be set; allowed: " + allowed);
        }
    }

    /** Why {@code topic} is not a legal Kafka topic name, or null when it is. */
    static String topicNameProblem(String topic) {
        if (topic == null || topic.isEmpty()) {
            return "a topic name must not be empty";
        }
        if (topic.length() > 249) {
            return "a topic name has at most 249 characters";
        }
        if (topic.equals(".") || topic.equals("..")) {
            return "a topic name cannot be \".\" or \"..\"";
        }
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (!TopicNames.isLegal(c)) {
                return "a topic name may only contain ASCII letters, digits, '.', '_' and '-'";
            }
        }
        return null;
    }

    /** Builder with the declared defaults ({@link KafkaSections}). Only {@link #bootstrapServers} is required; the json handler needs a topic per table (mapping or pattern). */
    public static final class Builder {
        private String bootstrapServers;
        private Map<TableId, String> tableTopicMapping = new LinkedHashMap<>();
        private String topicPattern;
        private String topicPrefix;
        private int batchSize = KafkaSections.BATCH_SIZE.defaultValue();
        private long batchBytes = KafkaSections.BATCH_BYTES.defaultValue();
        private Duration linger = KafkaSections.LINGER.defaultValue();
        private Duration transactionInterval = KafkaSections.TRANSACTION_INTERVAL.defaultValue();
        private Compression compression = KafkaSections.COMPRESSION.defaultValue();
        private Partitioner partitioner = KafkaSections.PARTITIONER.defaultValue();
        private Acks acks = KafkaSections.ACKS.defaultValue();
        private int maxAttempts = KafkaSections.MAX_ATTEMPTS.defaultValue();
        private Duration requestTimeout = KafkaSections.REQUEST_TIMEOUT.defaultValue();
        private Duration deliveryTimeout = KafkaSections.DELIVERY_TIMEOUT.defaultValue();
        private TlsSettings tls = TlsSettings.disabled();
        private SaslSettings sasl = SaslSettings.none();
        private Duration metadataMaxAge = KafkaSections.METADATA_MAX_AGE.defaultValue();
        private String clientId = KafkaSections.CLIENT_ID.defaultValue();
        private boolean allowAutoTopicCreation = KafkaSections.ALLOW_AUTO_TOPIC_CREATION.defaultValue();
        private int topicPartitions = KafkaSections.TOPIC_PARTITIONS.defaultValue();
        private int topicReplicationFactor = KafkaSections.TOPIC_REPLICATION_FACTOR.defaultValue();
        private int topicMinInsyncReplicas = KafkaSections.TOPIC_MIN_INSYNC_REPLICAS.defaultValue();
        private boolean exactlyOnce = KafkaSections.EXACTLY_ONCE.defaultValue();
        private String transactionalId;
        private String offsetsTopic = KafkaSections.OFFSETS_TOPIC.defaultValue();
        private Map<String, String> producerOverrides = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder bootstrapServers(String value) {
            this.bootstrapServers = value;
            return this;
        }

        /** Replaces the whole mapping. */
        public Builder tableTopicMapping(Map<TableId, String> value) {
            this.tableTopicMapping = new LinkedHashMap<>(Objects.requireNonNull(value, "tableTopicMapping"));
            return this;
        }

        /** Adds one table's topic. */
        public Builder mapTable(TableId table, String topic) {
            this.tableTopicMapping.put(Objects.requireNonNull(table, "table"), topic);
            return this;
        }

        /** Adds one table's topic; {@code table} as {@code schema.name}. */
        public Builder mapTable(String table, String topic) {
            return mapTable(TableId.parse(table), topic);
        }

        /** {@code topic-pattern}: the topic of a table not mapped, {@code ${prefix}}, {@code ${schema}}, {@code ${table}} replaced; null for none. */
        public Builder topicPattern(String value) {
            this.topicPattern = value;
            return this;
        }

        /** {@code topic-prefix}: the {@code ${prefix}} of the pattern (and, with no pattern, {@code <prefix>.<schema>.<table>}); null for none. */
        public Builder topicPrefix(String value) {
            this.topicPrefix = value;
            return this;
        }

        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        public Builder batchBytes(long value) {
            this.batchBytes = value;
            return this;
        }

        public Builder linger(Duration value) {
            this.linger = value;
            return this;
        }

        /** {@code transaction-interval}: exactly-once, how long a transaction stays open at most; zero: until the stream pauses. */
        public Builder transactionInterval(Duration value) {
            this.transactionInterval = value;
            return this;
        }

        public Builder compression(Compression value) {
            this.compression = value;
            return this;
        }

        public Builder partitioner(Partitioner value) {
            this.partitioner = value;
            return this;
        }

        public Builder acks(Acks value) {
            this.acks = value;
            return this;
        }

        public Builder maxAttempts(int value) {
            this.maxAttempts = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        public Builder deliveryTimeout(Duration value) {
            this.deliveryTimeout = value;
            return this;
        }

        public Builder tls(TlsSettings value) {
            this.tls = value;
            return this;
        }

        public Builder sasl(SaslSettings value) {
            this.sasl = value;
            return this;
        }

        public Builder metadataMaxAge(Duration value) {
            this.metadataMaxAge = value;
            return this;
        }

        public Builder clientId(String value) {
            this.clientId = value;
            return this;
        }

        public Builder allowAutoTopicCreation(boolean value) {
            this.allowAutoTopicCreation = value;
            return this;
        }

        public Builder topicPartitions(int value) {
            this.topicPartitions = value;
            return this;
        }

        public Builder topicReplicationFactor(int value) {
            this.topicReplicationFactor = value;
            return this;
        }

        public Builder topicMinInsyncReplicas(int value) {
            this.topicMinInsyncReplicas = value;
            return this;
        }

        public Builder exactlyOnce(boolean value) {
            this.exactlyOnce = value;
            return this;
        }

        public Builder transactionalId(String value) {
            this.transactionalId = value;
            return this;
        }

        public Builder offsetsTopic(String value) {
            this.offsetsTopic = value;
            return this;
        }

        /** Replaces the raw producer properties. */
        public Builder producerOverrides(Map<String, String> value) {
            this.producerOverrides = new LinkedHashMap<>(Objects.requireNonNull(value, "producerOverrides"));
            return this;
        }

        /** Adds one raw producer property; it wins over anything the sink sets. */
        public Builder producerOverride(String name, String value) {
            this.producerOverrides.put(Objects.requireNonNull(name, "name"), value);
            return this;
        }

        /** @throws ConfigurationException listing every problem */
        public KafkaSinkSettings build() {
            return new KafkaSinkSettings(bootstrapServers, tableTopicMapping, topicPattern, topicPrefix, batchSize, batchBytes, linger, transactionInterval,
                    compression, partitioner, acks, maxAttempts, requestTimeout, deliveryTimeout, tls, sasl, metadataMaxAge, clientId, allowAutoTopicCreation,
                    topicPartitions, topicReplicationFactor, topicMinInsyncReplicas, exactlyOnce, transactionalId, offsetsTopic,
                    producerOverrides);
        }
    }
}
