package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sasl.password-file} and {@code tls.client-key-password-file}: secrets mounted as files reach the clients, never shown. */
class SecretFilesTest {

    @TempDir
    Path temp;

    @Test
    void theSaslPasswordFileIsReadWithoutItsTrailingLineBreak() throws Exception {
        Path file = Files.writeString(temp.resolve("sasl-password"), "alice-secret\n");

        KafkaSinkSettings settings = read(Map.of("sasl", Map.of("mechanism", "SCRAM-SHA-512", "username", "alice",
                "password-file", file.toString())));

        assertThat(settings.sasl().password()).isEqualTo("alice-secret");
        assertThat(String.valueOf(ClientProperties.producer(settings).get(SaslConfigs.SASL_JAAS_CONFIG)))
                .contains("username=\"alice\" password=\"alice-secret\";");
        assertThat(settings.toString()).doesNotContain("alice-secret");
    }

    @Test
    void theClientKeyPasswordFileIsTheKeysPassword() throws Exception {
        Path ca = Files.writeString(temp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
        Path cert = Files.writeString(temp.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(temp.resolve("client-key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMA==\n-----END ENCRYPTED PRIVATE KEY-----\n");
        Path password = Files.writeString(temp.resolve("key-password"), "key-secret\r\n");

        KafkaSinkSettings settings = read(Map.of("tls", Map.of("enabled", true, "ca-file", ca.toString(), "client-cert-file", cert.toString(),
                "client-key-file", key.toString(), "client-key-password-file", password.toString())));

        assertThat(settings.tls().clientKeyPassword()).isEqualTo("key-secret");
        assertThat(String.valueOf(ClientProperties.producer(settings).get(SslConfigs.SSL_KEY_PASSWORD_CONFIG))).isEqualTo("key-secret");
    }

    @Test
    void aPasswordAndItsFileTogetherOrAnEmptyFileAreErrorsNamingTheKeys() throws Exception {
        Path file = Files.writeString(temp.resolve("sasl-password"), "alice-secret");
        Path empty = Files.writeString(temp.resolve("empty"), "");

        assertThatThrownBy(() -> read(Map.of("sasl", Map.of("mechanism", "PLAIN", "username", "alice", "password", "other",
                "password-file", file.toString())))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.kafka.sasl.password and pgcdc.kafka.sasl.password-file are both set; set one")
                .hasMessageNotContaining("alice-secret").hasMessageNotContaining("other");
        assertThatThrownBy(() -> read(Map.of("sasl", Map.of("mechanism", "PLAIN", "username", "alice", "password-file", empty.toString()))))
                .hasMessageContaining("pgcdc.kafka.sasl.password-file = ****** is an empty file");
    }

    private static KafkaSinkSettings read(Map<String, Object> more) {
        Map<String, Object> section = new LinkedHashMap<>(Map.of("bootstrap-servers", "localhost:9092",
                "table-topic-mapping", Map.of("public.users", "users")));
        section.putAll(more);
        return KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section));
    }
}
