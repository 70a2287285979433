package dev.pgcdc.kafka;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.partition.Crc32Partitioner;
import dev.pgcdc.kafka.partition.Fnv1aPartitioner;
import dev.pgcdc.kafka.partition.LeastBytesPartitioner;
import dev.pgcdc.kafka.partition.ReferenceHashPartitioner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * The kafka-clients properties the sink's producer, admin client and offsets consumer get from
 * {@link KafkaSinkSettings}. The raw {@code producer} overrides come last; those that are also
 * admin or consumer settings (security, timeouts) apply to those clients too. Reads the PEM files
 * named by the TLS settings, so it runs at start, not when settings are built.
 */
final class ClientProperties {

    /** kafka-clients' default {@code max.request.size}; a producer batch never needs to be larger. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /**
     * The largest producer batch pgcdc asks for unless {@code producer."batch.size"} says otherwise.
     * kafka-clients takes a whole {@code batch.size} buffer for every batch it starts and keeps the
     * buffers in its pool: with 1 MiB batches and a few partitions in flight that was about 20 MB of
     * mostly empty heap, with 256 KiB batches still 3.8 MB (measured on the benchmark's 1M-row
     * workload). 64 KiB holds the records of a {@code linger} of 5 ms at 70k records/s of 180 bytes
     * on one partition; a full batch is sent at once, without waiting for the linger.
     */
    static final int MAX_DEFAULT_BATCH_SIZE = 64 * 1024;

    private ClientProperties() {
    }

    static Map<String, Object> producer(KafkaSinkSettings settings) {
        Map<String, Object> props = common(settings);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, settings.clientId());
        props.put(ProducerConfig.ACKS_CONFIG, settings.acks().configName());
        // Idempotence needs acks=all and retries; without it, one request in flight keeps retries in order.
        boolean idempotent = settings.exactlyOnce() || settings.acks() == Acks.ALL && settings.maxAttempts() > 1;
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, idempotent ? 5 : 1);
        props.put(ProducerConfig.RETRIES_CONFIG, settings.maxAttempts() == KafkaSinkSettings.UNBOUNDED_ATTEMPTS
                ? Integer.MAX_VALUE : settings.maxAttempts() - 1);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, toIntMillis(settings.deliveryTimeout().toMillis()));
        // send() blocks while metadata is missing (a broker down) or buffers are full: no longer than a delivery may take
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.deliveryTimeout().toMillis());
        props.put(ProducerConfig.LINGER_MS_CONFIG, toIntMillis(settings.linger().toMillis()));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, batchSize(settings));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression().configName());
        switch (settings.partitioner()) {
            case HASH -> {
                // kafka-clients' built-in partitioner: murmur2 of the key
            }
            case ROUND_ROBIN -> props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, RoundRobinPartitioner.class.getName());
            case LEAST_LOADED -> {
                props.put(ProducerConfig.PARTITIONER_IGNORE_KEYS_CONFIG, true);
                props.put(ProducerConfig.PARTITIONER_ADPATIVE_PARTITIONING_ENABLE_CONFIG, true);
            }
            case CRC32 -> props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, Crc32Partitioner.class.getName());
            case REFERENCE_HASH -> props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, ReferenceHashPartitioner.class.getName());
            case FNV1A -> props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, Fnv1aPartitioner.class.getName());
            case LEAST_BYTES -> props.put(ProducerConfig.PARTITIONER_CLASS_CONFIG, LeastBytesPartitioner.class.getName());
            default -> throw new IllegalStateException("unknown partitioner " + settings.partitioner());
        }
        if (settings.exactlyOnce()) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        }
        props.putAll(settings.producerOverrides());
        return props;
    }

    /**
     * Lowers {@code batch.size} to the smallest {@code max.message.bytes} of the mapped topics (unless
     * {@code batch.size} is a raw override): when the broker refuses a batch as too large, the
     * producer splits it into batches of {@code batch.size}, and with a larger {@code batch.size} it
     * would split and resend the same batch for ever instead of failing the one record that is too
     * large.
     */
    static void capBatchSize(Map<String, Object> producerProperties, KafkaSinkSettings settings, int maxMessageBytes) {
        if (!settings.producerOverrides().containsKey(ProducerConfig.BATCH_SIZE_CONFIG)) {
            producerProperties.put(ProducerConfig.BATCH_SIZE_CONFIG,
                    Math.min((Integer) producerProperties.get(ProducerConfig.BATCH_SIZE_CONFIG), maxMessageBytes));
        }
    }

    static Map<String, Object> admin(KafkaSinkSettings settings) {
        Map<String, Object> props = common(settings);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, settings.clientId() + "-admin");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, toIntMillis(settings.requestTimeout().toMillis()));
        overridesFor(settings, AdminClientConfig.configNames(), props);
        return props;
    }

    /** A {@code read_committed} consumer without a group, for reading the offsets topic. */
    static Map<String, Object> offsetsConsumer(KafkaSinkSettings settings) {
        Map<String, Object> props = common(settings);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.clientId() + "-offsets");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, toIntMillis(settings.requestTimeout().toMillis()));
        overridesFor(settings, ConsumerConfig.configNames(), props);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return props;
    }

    private static Map<String, Object> common(KafkaSinkSettings settings) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, toIntMillis(settings.requestTimeout().toMillis()));
        props.put(CommonClientConfigs.METADATA_MAX_AGE_CONFIG, settings.metadataMaxAge().toMillis());
        TlsSettings tls = settings.tls();
        SaslSettings sasl = settings.sasl();
        String protocol = tls.enabled() ? (sasl.enabled() ? "SASL_SSL" : "SSL") : (sasl.enabled() ? "SASL_PLAINTEXT" : "PLAINTEXT");
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (tls.enabled()) {
            putTls(tls, props);
        }
        if (sasl.enabled()) {
            props.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism().kafkaName());
            String module = sasl.mechanism() == SaslSettings.Mechanism.PLAIN
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            props.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasEscape(sasl.username())
                    + "\" password=\"" + jaasEscape(sasl.password()) + "\";");
        }
        return props;
    }

    private static void putTls(TlsSettings tls, Map<String, Object> props) {
        if (tls.caFile() != null) {
            props.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, readPem(tls.caFile(), "tls.ca-file"));
        }
        if (tls.hasClientCertificate()) {
            String key = readPem(tls.clientKeyFile(), "tls.client-key-file");
            if (key.contains("BEGIN RSA PRIVATE KEY") || key.contains("BEGIN EC PRIVATE KEY")) {
                throw new ConfigurationException(KafkaSinkSettings.PREFIX + "tls.client-key-file = \"" + tls.clientKeyFile()
                        + "\" holds a PKCS#1/SEC1 key; Kafka needs PKCS#8 (BEGIN PRIVATE KEY): convert it with"
                        + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
            }
            props.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            props.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, readPem(tls.clientCertFile(), "tls.client-cert-file"));
            props.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, key);
            if (tls.clientKeyPassword() != null) {
                props.put(SslConfigs.SSL_KEY_PASSWORD_CONFIG, tls.clientKeyPassword());
            }
        }
        if (!tls.verifyHostname()) {
            props.put(SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "");
        }
    }

    private static String readPem(Path file, String key) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            if (!text.contains("-----BEGIN ")) {
                throw new ConfigurationException(KafkaSinkSettings.PREFIX + key + " = \"" + file + "\" is not a PEM file (no -----BEGIN line)");
            }
            return text.trim();
        } catch (IOException e) {
            throw new ConfigurationException(KafkaSinkSettings.PREFIX + key + " = \"" + file + "\" cannot be read: " + e.getMessage());
        }
    }

    private static void overridesFor(KafkaSinkSettings settings, Set<String> names, Map<String, Object> props) {
        settings.producerOverrides().forEach((name, value) -> {
            if (names.contains(name) && !name.equals(CommonClientConfigs.CLIENT_ID_CONFIG)) {
                props.put(name, value);
            }
        });
    }

    /**
     * Producer batches are allocated whole, so they stay within one request and within
     * {@link #MAX_DEFAULT_BATCH_SIZE}: {@code min(batch-bytes, max.request.size, 64 KiB)}.
     */
    private static int batchSize(KafkaSinkSettings settings) {
        String maxRequest = settings.producerOverrides().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        long cap = DEFAULT_MAX_REQUEST_SIZE;
        if (maxRequest != null) {
            try {
                cap = Long.parseLong(maxRequest.trim());
            } catch (NumberFormatException e) {
                cap = DEFAULT_MAX_REQUEST_SIZE; // kafka-clients reports the bad value itself
            }
        }
        return (int) Math.min(Math.min(settings.batchBytes(), cap), MAX_DEFAULT_BATCH_SIZE);
    }

    private static int toIntMillis(long millis) {
        return (int) Math.min(millis, Integer.MAX_VALUE);
    }

    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
