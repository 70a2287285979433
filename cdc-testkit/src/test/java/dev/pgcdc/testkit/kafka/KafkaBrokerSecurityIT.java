package dev.pgcdc.testkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.testkit.TestNames;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

class KafkaBrokerSecurityIT {

    @Test
    void acceptsScramUsersAndRefusesAWrongPassword() throws Exception {
        try (KafkaBroker broker = KafkaBroker.builder().withScram("alice", "alice-secret").withScram("bob", "bob-secret").start()) {
            assertThat(broker.securityProtocol()).isEqualTo("SASL_PLAINTEXT");
            String topic = broker.createTopic(TestNames.unique("scram"));
            broker.send(topic, "k", "over-scram");
            assertThat(broker.readAll(topic)).extracting(ConsumerRecord::value).containsExactly("over-scram");

            try (Admin bob = Admin.create(broker.clientProperties("bob", "bob-secret"))) {
                assertThat(bob.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
            }
            Map<String, Object> wrong = broker.clientProperties("alice", "not-her-password");
            try (Admin intruder = Admin.create(wrong)) {
                assertThatThrownBy(() -> intruder.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
            }
        }
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
}
