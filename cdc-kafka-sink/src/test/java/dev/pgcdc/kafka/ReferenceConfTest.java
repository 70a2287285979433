package dev.pgcdc.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import dev.pgcdc.api.plugin.PluginConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code reference.conf} holds every key of the Kafka sink with the builders' defaults, and the commented examples are valid keys too. */
class ReferenceConfTest {

    @Test
    void kafkaDefaultsEqualTheBuilderDefaults() {
        Map<String, Object> section = new LinkedHashMap<>(reference().getConfig("pgcdc.kafka").root().unwrapped());
        section.put("bootstrap-servers", "localhost:9092");
        section.put("table-topic-mapping", Map.of("public.users", "users"));

        KafkaSinkSettings fromReference = KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", section));

        assertThat(fromReference).isEqualTo(KafkaSinkSettings.builder().bootstrapServers("localhost:9092").mapTable("public.users", "users").build());
    }

    @Test
    void commentedExamplesAreKnownKeys() throws IOException {
        // uncomment every "# key = value" line: the result must still be read without an unknown key
        String text = referenceText();
        Matcher example = Pattern.compile("(?m)^(\\s*)# ([a-z-]+ = .*)$").matcher(text);
        String uncommented = example.replaceAll("$1$2");
        Config config = ConfigFactory.parseString(uncommented).resolve();
        Map<String, Object> kafka = new LinkedHashMap<>(config.getConfig("pgcdc.kafka").root().unwrapped());
        kafka.put("tls", Map.of("enabled", false, "verify-hostname", true)); // the example files do not exist
        kafka.put("sasl", Map.of("mechanism", "PLAIN", "username", "u", "password", "p"));
        kafka.put("table-topic-mapping", Map.of("public.users", "users.0"));

        KafkaSinkSettings settings = KafkaSinkSettings.from(new PluginConfig("pgcdc.kafka", kafka));

        assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(settings.transactionalId()).isEqualTo("pgcdc-my_slot");
        assertThat(config.getString("pgcdc.kafka.tls.ca-file")).isEqualTo("/etc/pgcdc/kafka-ca.pem");
        assertThat(config.getString("pgcdc.kafka.tls.client-key-file")).isEqualTo("/etc/pgcdc/client-key.pem");
    }

    private static Config reference() {
        return ConfigFactory.parseResources(ReferenceConfTest.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
    }

    private static String referenceText() throws IOException {
        try (InputStream in = ReferenceConfTest.class.getClassLoader().getResourceAsStream("reference.conf")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
