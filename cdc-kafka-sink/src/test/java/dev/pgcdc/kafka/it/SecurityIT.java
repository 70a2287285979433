package dev.pgcdc.kafka.it;

import static dev.pgcdc.kafka.it.Pipelines.awaitAcknowledged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.SaslSettings;
import dev.pgcdc.kafka.TlsSettings;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaBroker;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The sink against brokers whose client listener needs SASL (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN), or TLS with a CA chain and client certificates. */
class SecurityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static KafkaBroker saslBroker;

    @TempDir
    Path temp;

    @BeforeAll
    static void startSaslBroker() {
        saslBroker = KafkaBroker.builder()
                .withScram("SCRAM-SHA-256", "user-scram-sha-256", "user-scram-sha-256-secret")
                .withScram("SCRAM-SHA-512", "user-scram-sha-512", "user-scram-sha-512-secret")
                .withPlain("user-plain", "user-plain-secret")
                .start();
    }

    @AfterAll
    static void closeSaslBroker() {
        if (saslBroker != null) {
            saslBroker.close();
        }
    }

    @ParameterizedTest
    @EnumSource(SaslSettings.Mechanism.class)
    void writesThroughASaslListenerByEachMechanismAndFailsAtStartWithAWrongPassword(SaslSettings.Mechanism mechanism) {
        // one user per mechanism, known to the broker for that mechanism only: a sink that used another one would be refused
        String user = "user-" + mechanism.kafkaName().toLowerCase(Locale.ROOT);
        TableId table = new TableId("public", TestNames.unique("t"));
        String topic = saslBroker.createTopic(TestNames.unique("sasl"));
        KafkaSinkSettings.Builder settings = KafkaSinkSettings.builder().bootstrapServers(saslBroker.bootstrapServers()).mapTable(table, topic);

        ScriptedSource source = new ScriptedSource(20, new Workload(table, 10)::event);
        try (Pipeline pipeline = Pipelines.start("sasl", source, json(),
                new KafkaSink(settings.sasl(SaslSettings.of(mechanism, user, user + "-secret")).build()))) {
            awaitAcknowledged(pipeline, source, 20, TIMEOUT);
        }
        assertThat(saslBroker.readAll(topic)).hasSize(20);

        KafkaSink wrongPassword = new KafkaSink(settings.requestTimeout(Duration.ofSeconds(10))
                .sasl(SaslSettings.of(mechanism, user, "not-the-password")).build());
        assertThatThrownBy(wrongPassword::start).isInstanceOf(SinkException.class)
                .hasMessageContaining("on Kafka at " + saslBroker.bootstrapServers() + ": authentication failed")
                .hasMessageContaining("check pgcdc.kafka.sasl and pgcdc.kafka.tls")
                .hasMessageNotContaining("not-the-password");
        wrongPassword.close();
    }

    @Test
    void writesOverTlsTrustingARootAndIntermediateCaWithAClientCertificate() throws Exception {
        CertificateChain chain = CertificateChain.create(temp);
        String listener = "listener.name.client.";
        try (KafkaBroker broker = KafkaBroker.builder().withTls()
                .withBrokerProperty(listener + "ssl.keystore.location", chain.brokerKeyStore.toString())
                .withBrokerProperty(listener + "ssl.keystore.password", CertificateChain.PASSWORD)
                .withBrokerProperty(listener + "ssl.key.password", CertificateChain.PASSWORD)
                .withBrokerProperty(listener + "ssl.truststore.type", "PEM")
                .withBrokerProperty(listener + "ssl.truststore.location", chain.caChainPem.toString())
                .withBrokerProperty(listener + "ssl.client.auth", "required")
                .start()) {
            TableId table = new TableId("public", TestNames.unique("t"));
            String topic = TestNames.unique("tls");
            try (Admin admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.plaintextBootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            KafkaSinkSettings.Builder settings = KafkaSinkSettings.builder().bootstrapServers(broker.bootstrapServers())
                    .mapTable(table, topic).requestTimeout(Duration.ofSeconds(10));

            ScriptedSource source = new ScriptedSource(20, new Workload(table, 10)::event);
            TlsSettings mutualTls = TlsSettings.trusting(chain.caChainPem).withClientCertificate(chain.clientCertificatePem, chain.clientKeyPem, null);
            try (Pipeline pipeline = Pipelines.start("tls", source, json(), new KafkaSink(settings.tls(mutualTls).build()))) {
                awaitAcknowledged(pipeline, source, 20, TIMEOUT);
            }
            assertThat(readPlaintext(broker, topic)).hasSize(20);

            KafkaSink withoutClientCertificate = new KafkaSink(settings.tls(TlsSettings.trusting(chain.caChainPem)).build());
            assertThatThrownBy(withoutClientCertificate::start).isInstanceOf(SinkException.class)
                    .hasMessageContaining("on Kafka at " + broker.bootstrapServers() + ": authentication failed");
            withoutClientCertificate.close();

            KafkaSink trustingTheWrongCa = new KafkaSink(settings.tls(TlsSettings.trusting(broker.caCertificatePem())
                    .withClientCertificate(chain.clientCertificatePem, chain.clientKeyPem, null)).build());
            assertThatThrownBy(trustingTheWrongCa::start).isInstanceOf(SinkException.class)
                    .hasMessageContaining("authentication failed");
            trustingTheWrongCa.close();
        }
    }

    /** Reads the topic over the broker's own PLAINTEXT listener, which needs no client certificate. */
    private static List<ConsumerRecord<String, String>> readPlaintext(KafkaBroker broker, String topic) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.plaintextBootstrapServers());
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static JsonChangeHandler json() {
        return new JsonChangeHandler(JsonHandlerSettings.defaults());
    }
}
