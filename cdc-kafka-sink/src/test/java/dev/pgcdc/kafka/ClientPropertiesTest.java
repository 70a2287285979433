package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.kafka.KafkaSinkSettings.Acks;
import dev.pgcdc.kafka.KafkaSinkSettings.Compression;
import dev.pgcdc.kafka.KafkaSinkSettings.Partitioner;
import dev.pgcdc.kafka.partition.Crc32Partitioner;
import dev.pgcdc.kafka.partition.Fnv1aPartitioner;
import dev.pgcdc.kafka.partition.LeastBytesPartitioner;
import dev.pgcdc.kafka.partition.ReferenceHashPartitioner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.RoundRobinPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientPropertiesTest {

    @TempDir
    Path temp;

    @Test
    void defaultProducerIsIdempotentWithUnboundedInOrderRetries() {
        Map<String, Object> props = ClientProperties.producer(minimal().build());

        assertThat(props).containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("max.in.flight.requests.per.connection", 5)
                .containsEntry("retries", Integer.MAX_VALUE)
                .containsEntry("delivery.timeout.ms", 120_000)
                .containsEntry("max.block.ms", 120_000L)
                .containsEntry("request.timeout.ms", 30_000)
                .containsEntry("linger.ms", 5)
                .containsEntry("batch.size", 64 * 1024)
                .containsEntry("compression.type", "none")
                .containsEntry("metadata.max.age.ms", 60_000L)
                .containsEntry("client.id", "pgcdc")
                .containsEntry("security.protocol", "PLAINTEXT")
                .doesNotContainKeys("partitioner.class", "transactional.id", "partitioner.ignore.keys");
    }

    @Test
    void acksBelowAllTurnIdempotenceOffAndKeepOneRequestInFlight() {
        Map<String, Object> props = ClientProperties.producer(minimal().acks(Acks.LEADER).maxAttempts(3).build());

        assertThat(props).containsEntry("acks", "1").containsEntry("enable.idempotence", false)
                .containsEntry("max.in.flight.requests.per.connection", 1).containsEntry("retries", 2);
    }

    @Test
    void mapsPartitionersAndCompression() {
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.ROUND_ROBIN).build()))
                .containsEntry("partitioner.class", RoundRobinPartitioner.class.getName());
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.CRC32).build()))
                .containsEntry("partitioner.class", Crc32Partitioner.class.getName());
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.REFERENCE_HASH).build()))
                .containsEntry("partitioner.class", ReferenceHashPartitioner.class.getName());
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.FNV1A).build()))
                .containsEntry("partitioner.class", Fnv1aPartitioner.class.getName());
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.LEAST_BYTES).build()))
                .containsEntry("partitioner.class", LeastBytesPartitioner.class.getName());
        assertThat(ClientProperties.producer(minimal().partitioner(Partitioner.LEAST_LOADED).build()))
                .containsEntry("partitioner.ignore.keys", true).containsEntry("partitioner.adaptive.partitioning.enable", true)
                .doesNotContainKey("partitioner.class");
        assertThat(ClientProperties.producer(minimal().compression(Compression.GZIP).build())).containsEntry("compression.type", "gzip");
    }

    @Test
    void batchBytesIsCappedByTheRequestSizeAnd64KiB() {
        assertThat(ClientProperties.producer(minimal().batchBytes(32 * 1024).build())).containsEntry("batch.size", 32 * 1024);
        assertThat(ClientProperties.producer(minimal().batchBytes(100_000).producerOverride("max.request.size", "50000").build()))
                .containsEntry("batch.size", 50_000);
        assertThat(ClientProperties.producer(minimal().producerOverride("max.request.size", "4194304").build()))
                .containsEntry("batch.size", 64 * 1024);
        // a raw batch.size wins
        assertThat(ClientProperties.producer(minimal().producerOverride("batch.size", "1048576").build()))
                .containsEntry("batch.size", "1048576");
    }

    @Test
    void exactlyOnceSetsTheTransactionalId() {
        assertThat(ClientProperties.producer(minimal().exactlyOnce(true).transactionalId("pgcdc-s1").build()))
                .containsEntry("transactional.id", "pgcdc-s1").containsEntry("enable.idempotence", true);
    }

    @Test
    void rawOverridesHaveTheLastWordAndReachTheOtherClientsWhereTheyApply() {
        KafkaSinkSettings settings = minimal().producerOverride("linger.ms", "99").producerOverride("security.protocol", "SSL")
                .producerOverride("request.timeout.ms", "1234").build();

        assertThat(ClientProperties.producer(settings)).containsEntry("linger.ms", "99").containsEntry("security.protocol", "SSL");
        assertThat(ClientProperties.admin(settings)).containsEntry("security.protocol", "SSL").containsEntry("request.timeout.ms", "1234")
                .containsEntry("client.id", "pgcdc-admin").doesNotContainKey("linger.ms");
        assertThat(ClientProperties.offsetsConsumer(settings)).containsEntry("isolation.level", "read_committed")
                .containsEntry("security.protocol", "SSL").doesNotContainKey("group.id");
    }

    @Test
    void saslAndTlsChooseTheSecurityProtocolAndInlineThePemFiles() throws Exception {
        Path ca = Files.writeString(temp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n");
        Path cert = Files.writeString(temp.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(temp.resolve("client-key.pem"), "-----BEGIN PRIVATE KEY-----\nCCC\n-----END PRIVATE KEY-----\n");
        KafkaSinkSettings settings = minimal()
                .tls(TlsSettings.trusting(ca).withClientCertificate(cert, key, null).withoutHostnameVerification())
                .sasl(SaslSettings.of(SaslSettings.Mechanism.SCRAM_SHA_256, "al\"ice", "pa\\ss"))
                .build();

        Map<String, Object> props = ClientProperties.producer(settings);

        assertThat(props).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.certificates", "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----")
                .containsEntry("ssl.keystore.type", "PEM")
                .containsEntry("ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----")
                .containsEntry("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----\nCCC\n-----END PRIVATE KEY-----")
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"al\\\"ice\" password=\"pa\\\\ss\";")
                .doesNotContainKey("ssl.key.password");
        assertThat(ClientProperties.producer(minimal().sasl(SaslSettings.of(SaslSettings.Mechanism.PLAIN, "u", "p")).build()))
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";");
        assertThat(ClientProperties.producer(minimal().tls(TlsSettings.trusting(null)).build())).containsEntry("security.protocol", "SSL")
                .doesNotContainKeys("ssl.truststore.type", "ssl.endpoint.identification.algorithm");
    }

    @Test
    void rejectsAPkcs1KeyWithTheCommandThatConvertsIt() throws Exception {
        Path cert = Files.writeString(temp.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\nBBB\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(temp.resolve("rsa.pem"), "-----BEGIN RSA PRIVATE KEY-----\nCCC\n-----END RSA PRIVATE KEY-----\n");
        KafkaSinkSettings settings = minimal().tls(TlsSettings.trusting(null).withClientCertificate(cert, key, null)).build();

        assertThatThrownBy(() -> ClientProperties.producer(settings)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.kafka.tls.client-key-file").hasMessageContaining("openssl pkcs8 -topk8");
    }

    @Test
    void lingerIsTheProducersLingerMsInExactlyOnceModeToo() {
        Map<String, Object> props = ClientProperties.producer(minimal().exactlyOnce(true).transactionalId("pgcdc-slot")
                .linger(Duration.ofMillis(2)).transactionInterval(Duration.ofSeconds(3)).build());

        assertThat(props).containsEntry("linger.ms", 2).containsEntry("transactional.id", "pgcdc-slot");
    }

    @Test
    void timeoutsAreMilliseconds() {
        Map<String, Object> props = ClientProperties.producer(minimal().requestTimeout(Duration.ofSeconds(3))
                .deliveryTimeout(Duration.ofSeconds(9)).linger(Duration.ZERO).metadataMaxAge(Duration.ofMillis(500)).build());

        assertThat(props).containsEntry("request.timeout.ms", 3000).containsEntry("delivery.timeout.ms", 9000)
                .containsEntry("linger.ms", 0).containsEntry("metadata.max.age.ms", 500L);
    }

    private static KafkaSinkSettings.Builder minimal() {
        return KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable("public.users", "users");
    }
}
