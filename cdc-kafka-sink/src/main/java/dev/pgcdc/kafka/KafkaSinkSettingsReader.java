package dev.pgcdc.kafka;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import dev.pgcdc.kafka.config.SettingsReader;
import java.nio.file.Path;
import java.util.Map;

/** {@link KafkaSinkSettings#from}: the {@code pgcdc.kafka} keys onto the builder, every problem collected. */
final class KafkaSinkSettingsReader {

    private KafkaSinkSettingsReader() {
    }

    static KafkaSinkSettings read(PluginConfig config) {
        SettingsReader reader = new SettingsReader(config);
        KafkaSinkSettings.Builder builder = KafkaSinkSettings.builder();
        KafkaSinkSettings defaults = defaults();

        String servers = reader.string("bootstrap-servers", null);
        if (servers == null) {
            reader.problem(reader.path("bootstrap-servers") + " is required, e.g. \"localhost:9092\"");
            servers = "localhost:9092"; // keeps the other checks going; the problem is reported
        }
        builder.bootstrapServers(servers);
        readMapping(reader, builder);
        builder.batchSize(reader.integer("batch-size", defaults.batchSize()))
                .batchBytes(reader.bytes("batch-bytes", defaults.batchBytes()))
                .linger(reader.duration("linger", defaults.linger()))
                .compression(reader.choice("compression", defaults.compression(), Compression.class, Compression::configName))
                .partitioner(reader.choice("partitioner", defaults.partitioner(), Partitioner.class, Partitioner::configName))
                .acks(reader.choice("acks", defaults.acks(), Acks.class, Acks::configName))
                .maxAttempts(readMaxAttempts(reader))
                .requestTimeout(reader.duration("request-timeout", defaults.requestTimeout()))
                .deliveryTimeout(reader.duration("delivery-timeout", defaults.deliveryTimeout()))
                .tls(readTls(reader.section("tls")))
                .sasl(readSasl(reader.section("sasl")))
                .metadataMaxAge(reader.duration("metadata-max-age", defaults.metadataMaxAge()))
                .clientId(reader.string("client-id", defaults.clientId()))
                .allowAutoTopicCreation(reader.bool("allow-auto-topic-creation", defaults.allowAutoTopicCreation()))
                .topicPartitions(reader.integer("topic-partitions", defaults.topicPartitions()))
                .topicReplicationFactor(reader.integer("topic-replication-factor", defaults.topicReplicationFactor()))
                .topicMinInsyncReplicas(reader.integer("topic-min-insync-replicas", defaults.topicMinInsyncReplicas()))
                .exactlyOnce(reader.bool("exactly-once", defaults.exactlyOnce()))
                .transactionalId(blankToNull(reader.string("transactional-id", null)))
                .offsetsTopic(reader.string("offsets-topic", defaults.offsetsTopic()))
                .producerOverrides(reader.flatMap("producer"));

        KafkaSinkSettings settings = null;
        try {
            settings = builder.build();
        } catch (ConfigurationException e) {
            for (String problem : e.problems()) {
                // the constructor names keys under pgcdc.kafka; say so under this section's real path
                reader.problem(problem.startsWith(KafkaSinkSettings.PREFIX)
                        ? reader.path(problem.substring(KafkaSinkSettings.PREFIX.length())) : problem);
            }
        }
        reader.throwIfProblems();
        return settings;
    }

    private static KafkaSinkSettings defaults() {
        return KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable("public.defaults", "defaults").build();
    }

    private static void readMapping(SettingsReader reader, KafkaSinkSettings.Builder builder) {
        Map<String, String> mapping = reader.flatMap("table-topic-mapping");
        for (Map.Entry<String, String> entry : mapping.entrySet()) {
            try {
                builder.mapTable(TableId.parse(entry.getKey()), entry.getValue());
            } catch (IllegalArgumentException e) {
                reader.problem(reader.path("table-topic-mapping") + ": \"" + entry.getKey() + "\" is not a table name; expected schema.name, e.g. \"public.users\"");
            }
        }
    }

    private static int readMaxAttempts(SettingsReader reader) {
        String text = reader.string("max-attempts", "unbounded").trim();
        if (text.equalsIgnoreCase("unbounded")) {
            return KafkaSinkSettings.UNBOUNDED_ATTEMPTS;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            reader.problem(reader.path("max-attempts") + " = \"" + text + "\" is not allowed; allowed: unbounded or a number of at least 1");
            return KafkaSinkSettings.UNBOUNDED_ATTEMPTS;
        }
    }

    private static TlsSettings readTls(SettingsReader tls) {
        boolean enabled = tls.bool("enabled", false);
        return new TlsSettings(enabled, path(tls.string("ca-file", null)), path(tls.string("client-cert-file", null)),
                path(tls.string("client-key-file", null)), blankToNull(tls.string("client-key-password", null)),
                tls.bool("verify-hostname", true));
    }

    private static SaslSettings readSasl(SettingsReader sasl) {
        SaslMechanismChoice choice = sasl.choice("mechanism", SaslMechanismChoice.NONE, SaslMechanismChoice.class, SaslMechanismChoice::configName);
        String username = sasl.string("username", null);
        String password = sasl.string("password", null);
        if (choice == SaslMechanismChoice.NONE) {
            return SaslSettings.none();
        }
        return new SaslSettings(choice.mechanism, username, password);
    }

    private static Path path(String text) {
        return text == null || text.isBlank() ? null : Path.of(text.trim());
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /** The spellings of {@code sasl.mechanism}: the mechanisms plus {@code none}. */
    private enum SaslMechanismChoice {
        NONE(null), SCRAM_SHA_256(SaslSettings.Mechanism.SCRAM_SHA_256), SCRAM_SHA_512(SaslSettings.Mechanism.SCRAM_SHA_512),
        PLAIN(SaslSettings.Mechanism.PLAIN);

        private final SaslSettings.Mechanism mechanism;

        SaslMechanismChoice(SaslSettings.Mechanism mechanism) {
            this.mechanism = mechanism;
        }

        String configName() {
            return mechanism == null ? "none" : mechanism.kafkaName();
        }
    }
}
