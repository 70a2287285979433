package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSinkSettingsTest {

    @TempDir
    Path temp;

    @Test
    void builderHasTheDocumentedDefaults() {
        KafkaSinkSettings settings = minimal().build();

        assertThat(settings.batchSize()).isEqualTo(2000);
        assertThat(settings.batchBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(settings.linger()).isEqualTo(Duration.ofMillis(5));
        assertThat(settings.transactionInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(settings.compression()).isEqualTo(Compression.NONE);
        assertThat(settings.partitioner()).isEqualTo(Partitioner.HASH);
        assertThat(settings.acks()).isEqualTo(Acks.ALL);
        assertThat(settings.maxAttempts()).isEqualTo(KafkaSinkSettings.UNBOUNDED_ATTEMPTS);
        assertThat(settings.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.deliveryTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(settings.tls()).isEqualTo(TlsSettings.disabled());
        assertThat(settings.sasl()).isEqualTo(SaslSettings.none());
        assertThat(settings.metadataMaxAge()).isEqualTo(Duration.ofSeconds(60));
        assertThat(settings.clientId()).isEqualTo("pgcdc");
        assertThat(settings.allowAutoTopicCreation()).isFalse();
        assertThat(settings.topicPartitions()).isEqualTo(-1);
        assertThat(settings.topicReplicationFactor()).isEqualTo(-1);
        assertThat(settings.topicMinInsyncReplicas()).isEqualTo(-1);
        assertThat(settings.exactlyOnce()).isFalse();
        assertThat(settings.transactionalId()).isNull();
        assertThat(settings.offsetsTopic()).isEqualTo("__pgcdc_offsets");
        assertThat(settings.producerOverrides()).isEmpty();
    }

    @Test
    void readsEveryKeyOfTheSection() throws Exception {
        Path ca = Files.writeString(temp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("bootstrap-servers", "k1:9092,k2:9093");
        section.put("table-topic-mapping", Map.of("public.users", "users.0", "sales", Map.of("orders", "orders")));
        section.put("batch-size", 500);
        section.put("batch-bytes", "1 MiB");
        section.put("linger", "25ms");
        section.put("transaction-interval", "40ms");
        section.put("compression", "zstd");
        section.put("partitioner", "reference-hash");
        section.put("acks", "all");
        section.put("max-attempts", 7);
        section.put("request-timeout", "10s");
        section.put("delivery-timeout", "2m");
        section.put("tls", Map.of("enabled", true, "ca-file", ca.toString(), "verify-hostname", false));
        section.put("sasl", Map.of("mechanism", "SCRAM-SHA-512", "username", "alice", "password", "alice-secret"));
        section.put("metadata-max-age", "5s");
        section.put("client-id", "cdc-1");
        section.put("allow-auto-topic-creation", true);
        section.put("topic-partitions", 6);
        section.put("topic-replication-factor", 3);
        section.put("topic-min-insync-replicas", 2);
        section.put("exactly-once", true);
        section.put("transactional-id", "pgcdc-slot1");
        section.put("offsets-topic", "cdc.offsets");
        section.put("producer", Map.of("max", Map.of("request", Map.of("size", 2_097_152)), "buffer.memory", "1000000"));

        KafkaSinkSettings settings = KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section));

        assertThat(settings).isEqualTo(KafkaSinkSettings.builder()
                .bootstrapServers("k1:9092,k2:9093")
                .mapTable("public.users", "users.0").mapTable("sales.orders", "orders")
                .batchSize(500).batchBytes(1024 * 1024).linger(Duration.ofMillis(25)).transactionInterval(Duration.ofMillis(40))
                .compression(Compression.ZSTD).partitioner(Partitioner.REFERENCE_HASH).acks(Acks.ALL).maxAttempts(7)
                .requestTimeout(Duration.ofSeconds(10)).deliveryTimeout(Duration.ofMinutes(2))
                .tls(TlsSettings.trusting(ca).withoutHostnameVerification())
                .sasl(SaslSettings.of(SaslSettings.Mechanism.SCRAM_SHA_512, "alice", "alice-secret"))
                .metadataMaxAge(Duration.ofSeconds(5)).clientId("cdc-1").allowAutoTopicCreation(true)
                .topicPartitions(6).topicReplicationFactor(3).topicMinInsyncReplicas(2).exactlyOnce(true).transactionalId("pgcdc-slot1")
                .offsetsTopic("cdc.offsets")
                .producerOverride("max.request.size", "2097152").producerOverride("buffer.memory", "1000000")
                .build());
    }

    @Test
    void readsTheGoToolsBalancersUnderTheirOwnNames() {
        for (String name : List.of("fnv1a", "reference-hash", "crc32", "hash", "round-robin", "least-bytes")) {
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("bootstrap-servers", "localhost:9092");
            section.put("partitioner", name);
            assertThat(KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section)).partitioner().configName()).isEqualTo(name);
        }
        assertThat(Partitioner.FNV1A.keepsKeyOrder()).isTrue();
        assertThat(Partitioner.LEAST_BYTES.keepsKeyOrder()).isFalse();
    }

    @Test
    void acksBelowAllAreWarnedAboutNamingTheSettingAndWhatIsLost() {
        assertThat(minimal().build().warnings()).isEmpty();
        assertThat(minimal().acks(Acks.LEADER).build().warnings()).singleElement().asString()
                .startsWith("pgcdc.kafka.acks = 1: ").contains("before any replica has").contains("lost for good")
                .contains("Only acks = all (the default) keeps at-least-once delivery");
        assertThat(minimal().acks(Acks.NONE).build().warnings()).singleElement().asString()
                .startsWith("pgcdc.kafka.acks = 0: ").contains("before any broker has stored it").contains("not retried");
    }

    @Test
    void minInsyncReplicasMustBePositiveAndAtMostTheReplicationFactor() {
        assertThatThrownBy(() -> minimal().topicMinInsyncReplicas(0).build())
                .hasMessageContaining("pgcdc.kafka.topic-min-insync-replicas = 0 must be at least 1 (or -1 for the broker's default)");
        assertThatThrownBy(() -> minimal().topicReplicationFactor(2).topicMinInsyncReplicas(3).build())
                .hasMessageContaining("pgcdc.kafka.topic-min-insync-replicas = 3 must not exceed topic-replication-factor = 2");
    }

    @Test
    void reportsEveryProblemAtOnceWithFullKeyNames() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("table-topic-mapping", Map.of("public.users", "bad topic!"));
        section.put("compression", "brotli");
        section.put("partitioner", "sticky");
        section.put("acks", "2");
        section.put("linger", "soon");
        section.put("max-attempts", "many");
        section.put("batch-size", 0);
        section.put("lingr", "5ms");
        section.put("sasl", Map.of("mechanism", "SCRAM-SHA-256"));

        assertThatThrownBy(() -> KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "pgcdc.kafka.bootstrap-servers is required, e.g. \"localhost:9092\"",
                        "pgcdc.kafka.compression = \"brotli\" is not allowed; allowed: none, gzip, snappy, lz4, zstd",
                        "pgcdc.kafka.partitioner = \"sticky\" is not allowed; allowed: hash, round-robin, least-loaded, least-bytes, crc32, fnv1a, reference-hash",
                        "pgcdc.kafka.acks = \"2\" is not allowed; allowed: 0, 1, all",
                        "pgcdc.kafka.linger = \"soon\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                        "pgcdc.kafka.max-attempts = \"many\" is not allowed; allowed: unbounded or a number of at least 1",
                        "pgcdc.kafka.batch-size = 0 must be at least 1",
                        "pgcdc.kafka.table-topic-mapping.\"public.users\" = \"bad topic!\": a topic name may only contain ASCII letters,"
                                + " digits, '.', '_' and '-'",
                        "pgcdc.kafka.sasl.username is required with pgcdc.kafka.sasl.mechanism = SCRAM-SHA-256",
                        "pgcdc.kafka.sasl.password is required with pgcdc.kafka.sasl.mechanism = SCRAM-SHA-256",
                        "pgcdc.kafka.lingr = \"5ms\" is not a known key; did you mean pgcdc.kafka.linger?"));
    }

    @Test
    void requiresBootstrapServersButNoMappingForHandlersThatNameTheirTopics() {
        assertThatThrownBy(() -> KafkaSinkSettings.builder().build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.kafka.bootstrap-servers is required, e.g. \"localhost:9092\""));
        assertThat(KafkaSinkSettings.builder().bootstrapServers("localhost:9092").build().tableTopicMapping()).isEmpty();
        assertThatThrownBy(() -> KafkaSinkSettings.builder().bootstrapServers("localhost:9092").build()
                .requireMappedTables(java.util.List.of(new dev.pgcdc.api.event.TableId("public", "orders"))))
                .hasMessageContaining("public.orders");
        assertThatThrownBy(() -> minimal().bootstrapServers("localhost").build())
                .hasMessageContaining("\"localhost\" is not host:port");
    }

    @Test
    void exactlyOnceNeedsATransactionalIdAndAcksAll() {
        assertThatThrownBy(() -> minimal().exactlyOnce(true).acks(Acks.LEADER).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.kafka.transactional-id is required when pgcdc.kafka.exactly-once = true (the service sets it to pgcdc-<slot.name>)",
                        "pgcdc.kafka.acks = 1 is not allowed with pgcdc.kafka.exactly-once = true; allowed: all"));
    }

    @Test
    void deliveryTimeoutMustCoverLingerAndRequestTimeout() {
        assertThatThrownBy(() -> minimal().deliveryTimeout(Duration.ofSeconds(5)).build())
                .hasMessageContaining("pgcdc.kafka.delivery-timeout = PT5S must be at least linger + request-timeout (PT30.005S)");
    }

    @Test
    void transactionIntervalIsZeroOrMoreInTheBuilderAndInTheFile() {
        assertThat(minimal().transactionInterval(Duration.ZERO).build().transactionInterval()).isZero();
        assertThatThrownBy(() -> minimal().transactionInterval(Duration.ofMillis(-1)).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.kafka.transaction-interval = -1ms must not be negative"));
        assertThatThrownBy(() -> minimal().transactionInterval(null).build())
                .hasMessageContaining("pgcdc.kafka.transaction-interval must be set");

        Map<String, Object> section = new LinkedHashMap<>(Map.of("bootstrap-servers", "localhost:9092", "transaction-interval", -5));
        assertThatThrownBy(() -> KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section)))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.kafka.transaction-interval = -5ms must not be negative"));
    }

    @Test
    void tlsFilesMustBeReadableAndComeInPairs() {
        Path missing = temp.resolve("missing.pem");
        assertThatThrownBy(() -> minimal().tls(TlsSettings.trusting(missing).withClientCertificate(missing, null, null)).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "pgcdc.kafka.tls.ca-file = \"" + missing + "\" is not a readable file",
                        "pgcdc.kafka.tls.client-cert-file = \"" + missing + "\" is not a readable file",
                        "pgcdc.kafka.tls.client-cert-file and pgcdc.kafka.tls.client-key-file must be set together"));
        assertThatThrownBy(() -> minimal().tls(new TlsSettings(false, temp, null, null, null, true)).build())
                .hasMessageContaining("set it to true to use them");
    }

    @Test
    void masksSecretsInToString() {
        KafkaSinkSettings settings = minimal()
                .sasl(SaslSettings.of(SaslSettings.Mechanism.PLAIN, "bob", "hunter2"))
                .producerOverride("sasl.jaas.config", "x required password=\"hunter2\";")
                .producerOverride("ssl.key.password", "hunter2")
                .producerOverride("linger.ms", "5")
                .build();

        assertThat(settings.toString()).doesNotContain("hunter2").contains("password=******", "linger.ms=5", "username=bob");
        assertThat(new TlsSettings(true, null, null, null, "hunter2", true).toString()).doesNotContain("hunter2");
    }

    @Test
    void checksThatEveryCapturedTableHasATopic() {
        KafkaSinkSettings settings = minimal().build();

        settings.requireMappedTables(List.of(TableId.parse("public.users")));
        assertThatThrownBy(() -> settings.requireMappedTables(List.of(TableId.parse("public.users"), TableId.parse("sales.orders"))))
                .hasMessage("invalid configuration: pgcdc.kafka.table-topic-mapping has no topic for table sales.orders;"
                        + " add \"sales.orders\" = \"<topic>\" or set pgcdc.kafka.topic-pattern (e.g. \"${prefix}.${schema}.${table}\")");
        assertThat(settings.topicFor(TableId.parse("users"))).isEqualTo("users");
    }

    @Test
    void maxAttemptsAcceptsUnboundedOrANumber() {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("bootstrap-servers", "k:9092");
        section.put("table-topic-mapping", Map.of("public.users", "users"));
        section.put("max-attempts", "unbounded");
        assertThat(KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section)).maxAttempts()).isEqualTo(KafkaSinkSettings.UNBOUNDED_ATTEMPTS);
        section.put("max-attempts", "3");
        assertThat(KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section)).maxAttempts()).isEqualTo(3);
    }

    @Test
    void toBuilderKeepsEverySetting() {
        KafkaSinkSettings settings = minimal().compression(Compression.LZ4).producerOverride("a", "b").exactlyOnce(true)
                .transactionalId("t").build();

        assertThat(settings.toBuilder().build()).isEqualTo(settings);
    }

    private static KafkaSinkSettings.Builder minimal() {
        return KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable("public.users", "users");
    }
}
