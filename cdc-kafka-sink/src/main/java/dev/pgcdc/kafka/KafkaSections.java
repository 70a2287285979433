package dev.pgcdc.kafka;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.SettingType;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of the Kafka sink, declared once: the section {@code pgcdc.kafka} with every key,
 * type, default and check. {@link KafkaSinkSettings#from} reads it, its builder starts at these
 * defaults, and the tests check {@code reference.conf} and docs/configuration.md against them.
 * Stateless and thread-safe.
 */
public final class KafkaSections {

    static final String PATH = "pgcdc.kafka";

    public static final Setting<String> BOOTSTRAP_SERVERS = Setting.string("bootstrap-servers").required(", e.g. \"localhost:9092\"")
            .check(KafkaSections::isServerList, "is not host:port[,host:port...]").doc("brokers to bootstrap from");
    public static final Setting<Map<TableId, String>> TABLE_TOPIC_MAPPING = Setting.of("table-topic-mapping", new MappingType())
            .defaultsTo(Map.of()).doc("table to topic; with the json handler every table needs one, or a topic-pattern");
    public static final Setting<String> TOPIC_PATTERN = Setting.string("topic-pattern")
            .doc("topic of a table not in table-topic-mapping: ${prefix}, ${schema}, ${table} replaced; unset: ${prefix}.${schema}.${table} with a topic-prefix");
    public static final Setting<String> TOPIC_PREFIX = Setting.string("topic-prefix")
            .doc("${prefix} of topic-pattern; set by the service to the Debezium envelopes' debezium.name");
    public static final Setting<Integer> BATCH_SIZE = Setting.integer("batch-size").defaultsTo(2000).atLeast(1)
            .doc("exactly-once: events per transaction at most");
    public static final Setting<Long> BATCH_BYTES = Setting.bytes("batch-bytes").defaultsTo(10L << 20).between(1, Integer.MAX_VALUE)
            .doc("bytes per producer batch; exactly-once: per transaction");
    public static final Setting<Duration> LINGER = Setting.duration("linger").defaultsTo(Duration.ofMillis(5))
            .check(d -> !d.isNegative(), "must not be negative").doc("how long a producer batch waits to fill (the producer's linger.ms)");
    public static final Setting<Duration> TRANSACTION_INTERVAL = Setting.duration("transaction-interval").defaultsTo(Duration.ofMillis(10))
            .check(d -> !d.isNegative(), "must not be negative")
            .doc("exactly-once: how long a transaction stays open at most; 0: committed once the stream pauses for 1 ms, or after 100 ms");
    public static final Setting<Compression> COMPRESSION = Setting.choice("compression", Compression.class, Compression::configName)
            .defaultsTo(Compression.NONE).doc("batch compression");
    public static final Setting<Partitioner> PARTITIONER = Setting.choice("partitioner", Partitioner.class, Partitioner::configName)
            .defaultsTo(Partitioner.HASH).doc("how records are spread over a topic's partitions");
    public static final Setting<Acks> ACKS = Setting.choice("acks", Acks.class, Acks::configName).defaultsTo(Acks.ALL)
            .doc("replicas that confirm a write");
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.of("max-attempts", new MaxAttemptsType())
            .defaultsTo(KafkaSinkSettings.UNBOUNDED_ATTEMPTS).check(n -> n >= 1, "must be at least 1 (or unbounded)")
            .doc("sends of a batch at most; unbounded: until delivery-timeout");
    public static final Setting<Duration> REQUEST_TIMEOUT = Setting.duration("request-timeout").defaultsTo(Duration.ofSeconds(30))
            .check(KafkaSections::isPositive, "must be positive").doc("one request to a broker");
    public static final Setting<Duration> DELIVERY_TIMEOUT = Setting.duration("delivery-timeout").defaultsTo(Duration.ofSeconds(120))
            .check(KafkaSections::isPositive, "must be positive").doc("a record's whole delivery, retries included");
    public static final Setting<Boolean> TLS_ENABLED = Setting.bool("tls.enabled").defaultsTo(false).doc("TLS to the brokers");
    public static final Setting<Path> TLS_CA_FILE = Setting.file("tls.ca-file").doc("PEM of the CA certificates; unset: the JVM's trust store");
    public static final Setting<Path> TLS_CLIENT_CERT_FILE = Setting.file("tls.client-cert-file").doc("mutual TLS: PEM certificate chain");
    public static final Setting<Path> TLS_CLIENT_KEY_FILE = Setting.file("tls.client-key-file").doc("mutual TLS: PEM PKCS#8 key");
    public static final Setting<String> TLS_CLIENT_KEY_PASSWORD = Setting.password("tls.client-key-password").doc("password of an encrypted key");
    public static final Setting<String> TLS_CLIENT_KEY_PASSWORD_FILE = Setting.secretFile("tls.client-key-password-file")
            .doc("a file holding it (a mounted secret), instead of it");
    public static final Setting<Boolean> TLS_VERIFY_HOSTNAME = Setting.bool("tls.verify-hostname").defaultsTo(true)
            .doc("the broker's certificate must name the host");
    public static final Setting<SaslChoice> SASL_MECHANISM = Setting.choice("sasl.mechanism", SaslChoice.class, SaslChoice::configName)
            .defaultsTo(SaslChoice.NONE).doc("SASL mechanism");
    public static final Setting<String> SASL_USERNAME = Setting.string("sasl.username").doc("SASL user");
    public static final Setting<String> SASL_PASSWORD = Setting.password("sasl.password").doc("SASL password");
    public static final Setting<String> SASL_PASSWORD_FILE = Setting.secretFile("sasl.password-file")
            .doc("a file holding it (a mounted secret), instead of it");
    public static final Setting<Duration> METADATA_MAX_AGE = Setting.duration("metadata-max-age").defaultsTo(Duration.ofSeconds(60))
            .check(KafkaSections::isPositive, "must be positive").doc("topic metadata is refreshed at least this often");
    public static final Setting<String> CLIENT_ID = Setting.string("client-id").defaultsTo("pgcdc").doc("the producer's client.id");
    public static final Setting<Boolean> ALLOW_AUTO_TOPIC_CREATION = Setting.bool("allow-auto-topic-creation").defaultsTo(false)
            .doc("create missing mapped topics at start");
    public static final Setting<Integer> TOPIC_PARTITIONS = Setting.integer("topic-partitions").defaultsTo(-1)
            .check(n -> n == -1 || n >= 1, "must be at least 1 (or -1 for the broker's default)").doc("partitions of topics created at start");
    public static final Setting<Integer> TOPIC_REPLICATION_FACTOR = Setting.integer("topic-replication-factor").defaultsTo(-1)
            .check(n -> n == -1 || n >= 1 && n <= Short.MAX_VALUE, "must be at least 1 (or -1 for the broker's default)")
            .doc("replicas of topics created at start and of the offsets topic");
    public static final Setting<Integer> TOPIC_MIN_INSYNC_REPLICAS = Setting.integer("topic-min-insync-replicas").defaultsTo(-1)
            .check(n -> n == -1 || n >= 1, "must be at least 1 (or -1 for the broker's default)").doc("min.insync.replicas of topics created at start");
    public static final Setting<Boolean> EXACTLY_ONCE = Setting.bool("exactly-once").defaultsTo(false).doc("transactional mode");
    public static final Setting<String> TRANSACTIONAL_ID = Setting.string("transactional-id").doc("set by the service to pgcdc-<slot.name>");
    public static final Setting<String> OFFSETS_TOPIC = Setting.string("offsets-topic").defaultsTo("__pgcdc_offsets")
            .doc("compacted topic of the last committed position");
    public static final Setting<Map<String, String>> PRODUCER = Setting.object("producer").defaultsTo(Map.of())
            .doc("raw kafka-clients producer properties, applied last");

    /** The section {@code pgcdc.kafka}. */
    public static final Section SECTION = Section.of(PATH, BOOTSTRAP_SERVERS, TABLE_TOPIC_MAPPING, TOPIC_PATTERN, TOPIC_PREFIX, BATCH_SIZE, BATCH_BYTES, LINGER,
            TRANSACTION_INTERVAL, COMPRESSION, PARTITIONER, ACKS, MAX_ATTEMPTS, REQUEST_TIMEOUT, DELIVERY_TIMEOUT, TLS_ENABLED, TLS_CA_FILE, TLS_CLIENT_CERT_FILE,
            TLS_CLIENT_KEY_FILE, TLS_CLIENT_KEY_PASSWORD, TLS_CLIENT_KEY_PASSWORD_FILE, TLS_VERIFY_HOSTNAME, SASL_MECHANISM, SASL_USERNAME,
            SASL_PASSWORD, SASL_PASSWORD_FILE,
            METADATA_MAX_AGE, CLIENT_ID, ALLOW_AUTO_TOPIC_CREATION, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR,
            TOPIC_MIN_INSYNC_REPLICAS, EXACTLY_ONCE, TRANSACTIONAL_ID, OFFSETS_TOPIC, PRODUCER);

    private KafkaSections() {
    }

    /** Reads {@code config} (the section, wherever it stands), every problem collected and thrown at once. */
    static KafkaSinkSettings read(PluginConfig config) {
        Problems problems = new Problems();
        Values values = SECTION.read(config, problems);
        SaslChoice sasl = values.get(SASL_MECHANISM);
        String keyPassword = values.either(TLS_CLIENT_KEY_PASSWORD, TLS_CLIENT_KEY_PASSWORD_FILE);
        String saslPassword = values.either(SASL_PASSWORD, SASL_PASSWORD_FILE);
        KafkaSinkSettings settings = problems.collect(() -> rewritten(config, () -> new KafkaSinkSettings(
                values.get(BOOTSTRAP_SERVERS), values.get(TABLE_TOPIC_MAPPING), values.get(TOPIC_PATTERN), values.get(TOPIC_PREFIX),
                values.get(BATCH_SIZE), values.get(BATCH_BYTES),
                values.get(LINGER), values.get(TRANSACTION_INTERVAL), values.get(COMPRESSION), values.get(PARTITIONER), values.get(ACKS), values.get(MAX_ATTEMPTS),
                values.get(REQUEST_TIMEOUT), values.get(DELIVERY_TIMEOUT),
                new TlsSettings(values.get(TLS_ENABLED), values.get(TLS_CA_FILE), values.get(TLS_CLIENT_CERT_FILE),
                        values.get(TLS_CLIENT_KEY_FILE), keyPassword, values.get(TLS_VERIFY_HOSTNAME)),
                sasl.mechanism == null ? SaslSettings.none() : new SaslSettings(sasl.mechanism, values.get(SASL_USERNAME), saslPassword),
                values.get(METADATA_MAX_AGE), values.get(CLIENT_ID), values.get(ALLOW_AUTO_TOPIC_CREATION), values.get(TOPIC_PARTITIONS),
                values.get(TOPIC_REPLICATION_FACTOR), values.get(TOPIC_MIN_INSYNC_REPLICAS), values.get(EXACTLY_ONCE),
                values.get(TRANSACTIONAL_ID), values.get(OFFSETS_TOPIC), values.get(PRODUCER))));
        problems.throwIfAny();
        return settings;
    }

    /** The constructor names keys under {@code pgcdc.kafka}; say so under the section's real path. */
    private static <T> T rewritten(PluginConfig config, java.util.function.Supplier<T> making) {
        try {
            return making.get();
        } catch (ConfigurationException e) {
            if (config.prefix().equals(PATH)) {
                throw e;
            }
            throw new ConfigurationException(e.problems().stream()
                    .map(p -> p.replace(PATH + ".", config.prefix() + ".")).toList());
        }
    }

    private static boolean isPositive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static boolean isServerList(String servers) {
        for (String server : servers.split(",")) {
            String trimmed = server.trim();
            int colon = trimmed.lastIndexOf(':');
            if (colon <= 0 || !isPort(trimmed.substring(colon + 1))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPort(String text) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
            return false;
        }
        int port = Integer.parseInt(text);
        return port > 0 && port <= 65535;
    }

    /** The spellings of {@code sasl.mechanism}: the mechanisms plus {@code none}. */
    public enum SaslChoice {
        NONE(null), SCRAM_SHA_256(SaslSettings.Mechanism.SCRAM_SHA_256), SCRAM_SHA_512(SaslSettings.Mechanism.SCRAM_SHA_512),
        PLAIN(SaslSettings.Mechanism.PLAIN);

        private final SaslSettings.Mechanism mechanism;

        SaslChoice(SaslSettings.Mechanism mechanism) {
            this.mechanism = mechanism;
        }

        public String configName() {
            return mechanism == null ? "none" : mechanism.kafkaName();
        }
    }

    /** {@code unbounded} or a whole number. */
    private static final class MaxAttemptsType implements SettingType<Integer> {
        @Override
        public Integer parse(String key, Object raw, Problems problems) {
            String text = String.valueOf(raw).trim();
            if (text.equalsIgnoreCase("unbounded")) {
                return KafkaSinkSettings.UNBOUNDED_ATTEMPTS;
            }
            try {
                if (!(raw instanceof Map<?, ?> || raw instanceof java.util.List<?>)) {
                    return Integer.parseInt(text);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.bad(key, raw, "is not allowed; allowed: unbounded or a number of at least 1");
            return null;
        }

        @Override
        public String render(Integer value) {
            return value == KafkaSinkSettings.UNBOUNDED_ATTEMPTS ? "unbounded" : String.valueOf(value);
        }
    }

    /** An object of {@code "schema.table" = topic} (nested objects flattened), keys parsed as table names. */
    private static final class MappingType implements SettingType<Map<TableId, String>> {
        @Override
        public Map<TableId, String> parse(String key, Object raw, Problems problems) {
            Map<String, String> flat = Setting.object(key).type().parse(key, raw, problems);
            if (flat == null) {
                return null;
            }
            Map<TableId, String> mapping = new LinkedHashMap<>();
            boolean bad = false;
            for (Map.Entry<String, String> entry : flat.entrySet()) {
                try {
                    mapping.put(TableId.parse(entry.getKey()), entry.getValue());
                } catch (IllegalArgumentException e) {
                    problems.add(key + ": \"" + entry.getKey() + "\" is not a table name; expected schema.name, e.g. \"public.users\"");
                    bad = true;
                }
            }
            return bad ? null : mapping;
        }

        @Override
        public String render(Map<TableId, String> value) {
            return value.isEmpty() ? "{}" : value.toString();
        }
    }
}
