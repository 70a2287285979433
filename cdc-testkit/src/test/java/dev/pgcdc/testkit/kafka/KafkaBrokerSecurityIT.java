package dev.pgcdc.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.testkit.TestNames;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

class KafkaBrokerSecurityIT {

    @Test
    void acceptsScramAndPlainUsersEachByItsOwnMechanismAndRefusesAWrongPassword() throws Exception {
        try (KafkaBroker broker = KafkaBroker.builder().withScram("alice", "alice-secret").withScram("bob", "bob-secret")
                .withScram("SCRAM-SHA-256", "carol", "carol-secret").withPlain("dave", "dave-secret").start()) {
            assertThat(broker.securityProtocol()).isEqualTo("SASL_PLAINTEXT");
            assertThat(broker.clientProperties()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
            String topic = broker.createTopic(TestNames.unique("scram"));
            broker.send(topic, "k", "over-scram");
            assertThat(broker.readAll(topic)).extracting(ConsumerRecord::value).containsExactly("over-scram");

            assertThat(topicsSeenBy(broker.clientProperties("bob", "bob-secret"))).contains(topic);
            assertThat(broker.clientProperties("carol", "carol-secret")).containsEntry("sasl.mechanism", "SCRAM-SHA-256");
            assertThat(topicsSeenBy(broker.clientProperties("carol", "carol-secret"))).contains(topic);
            assertThat(broker.clientProperties("dave", "dave-secret")).containsEntry("sasl.mechanism", "PLAIN");
            assertThat(topicsSeenBy(broker.clientProperties("dave", "dave-secret"))).contains(topic);

            // each user exists for its own mechanism only
            assertRefused(broker.clientProperties("SCRAM-SHA-512", "carol", "carol-secret"));
            assertRefused(broker.clientProperties("SCRAM-SHA-256", "dave", "dave-secret"));
            assertRefused(broker.clientProperties("alice", "not-her-password"));
            assertRefused(broker.clientProperties("dave", "not-his-password"));
        }
    }

    @Test
    void refusesAMechanismItDoesNotConfigure() {
        assertThatThrownBy(() -> KafkaBroker.builder().withScram("PLAIN", "alice", "alice-secret"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SCRAM-SHA-256 or SCRAM-SHA-512");
        assertThatThrownBy(() -> KafkaBroker.builder().withPlain("alice", "a\"quote"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty nor contain");
    }

    @Test
    void servesTlsWithACertificateOfItsTestCa() throws Exception {
        try (KafkaBroker broker = KafkaBroker.builder().withTls().start()) {
            assertThat(broker.securityProtocol()).isEqualTo("SSL");
            assertThat(Files.readString(broker.caCertificatePem())).startsWith("-----BEGIN CERTIFICATE-----");
            String topic = broker.createTopic(TestNames.unique("tls"));
            broker.send(topic, "k", "over-tls");
            assertThat(broker.readAll(topic)).extracting(ConsumerRecord::value).containsExactly("over-tls");
        }
    }

    private static Set<String> topicsSeenBy(Map<String, Object> clientProperties) throws Exception {
        try (Admin admin = Admin.create(clientProperties)) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static void assertRefused(Map<String, Object> clientProperties) {
        try (Admin intruder = Admin.create(clientProperties)) {
            assertThatThrownBy(() -> intruder.listTopics().names().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
