package dev.pgcdc.api.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {

    private final PluginConfig config = new PluginConfig("pgcdc.kafka", Map.of(
            "linger", "10ms",
            "timeout", 2500,
            "batch-bytes", "10 MiB",
            "size-kb", "4kB",
            "idempotent", "true",
            "partitions", "3",
            "servers", List.of("a:9092", "b:9092"),
            "tls", Map.of("enabled", true)));

    @Test
    void readsTypedValuesWithDefaults() {
        assertThat(config.getDuration("linger", Duration.ZERO)).isEqualTo(Duration.ofMillis(10));
        assertThat(config.getDuration("timeout", Duration.ZERO)).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.getDuration("absent", Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.getBytes("batch-bytes", 0)).isEqualTo(10L * 1024 * 1024);
        assertThat(config.getBytes("size-kb", 0)).isEqualTo(4000);
        assertThat(config.getBoolean("idempotent", false)).isTrue();
        assertThat(config.getInt("partitions", 1)).isEqualTo(3);
        assertThat(config.getStringList("servers", List.of())).containsExactly("a:9092", "b:9092");
        assertThat(config.section("tls").getBoolean("enabled", false)).isTrue();
        assertThat(config.section("tls").path("enabled")).isEqualTo("pgcdc.kafka.tls.enabled");
    }

    @Test
    void namesTheFullKeyAndTheBadValue() {
        assertThatThrownBy(() -> config.getInt("linger", 0))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.kafka.linger = \"10ms\" is not a whole number");
        assertThatThrownBy(() -> config.getDuration("servers", Duration.ZERO))
                .hasMessageContaining("pgcdc.kafka.servers");
        assertThatThrownBy(() -> config.getBoolean("partitions", false))
                .hasMessageContaining("pgcdc.kafka.partitions = \"3\" is not a boolean");
        assertThatThrownBy(() -> config.requireString("bootstrap-servers"))
                .hasMessageContaining("pgcdc.kafka.bootstrap-servers is required");
    }
}
