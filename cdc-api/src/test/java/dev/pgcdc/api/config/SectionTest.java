package dev.pgcdc.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SectionTest {

    enum Mode {
        FAST, SAFE_MODE;

        String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    static final Setting<String> SERVERS = Setting.string("servers").required(", e.g. \"localhost:9092\"").doc("brokers");
    static final Setting<Integer> PORT = Setting.integer("port").defaultsTo(8080).between(0, 65535);
    static final Setting<Long> SIZE = Setting.bytes("size").defaultsTo(10L << 20).atLeast(1);
    static final Setting<Duration> LINGER = Setting.duration("linger").defaultsTo(Duration.ofMillis(10)).notNegative();
    static final Setting<Boolean> TLS = Setting.bool("tls.enabled").defaultsTo(false);
    static final Setting<Mode> MODE = Setting.choice("mode", Mode.class, Mode::configName).defaultsTo(Mode.FAST);
    static final Setting<List<String>> TOPICS = Setting.stringList("topics").defaultsTo(List.of());
    static final Setting<Map<String, String>> PRODUCER = Setting.object("producer").defaultsTo(Map.of());
    static final Setting<String> PASSWORD = Setting.password("sasl.password");
    static final Setting<Path> CA = Setting.file("tls.ca-file");
    static final Section SECTION = Section.of("pgcdc.test", SERVERS, PORT, SIZE, LINGER, TLS, MODE, TOPICS, PRODUCER, PASSWORD, CA);

    @TempDir
    Path temp;

    @Test
    void readsTypedValuesAndDefaults() throws Exception {
        Path ca = Files.writeString(temp.resolve("ca.pem"), "x");
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("servers", "k:9092");
        raw.put("port", "9090");
        raw.put("size", "1 MiB");
        raw.put("tls", Map.of("enabled", "yes", "ca-file", ca.toString()));
        raw.put("mode", "SAFE-mode");
        raw.put("topics", "one");
        raw.put("producer", Map.of("max", Map.of("request.size", 5), "acks", "all"));
        Values values = SECTION.read(new PluginConfig("pgcdc.test", raw));

        assertThat(values.problems().list()).isEmpty();
        assertThat(values.get(SERVERS)).isEqualTo("k:9092");
        assertThat(values.get(PORT)).isEqualTo(9090);
        assertThat(values.get(SIZE)).isEqualTo(1L << 20);
        assertThat(values.get(LINGER)).isEqualTo(Duration.ofMillis(10));
        assertThat(values.isGiven(LINGER)).isFalse();
        assertThat(values.get(TLS)).isTrue();
        assertThat(values.get(CA)).isEqualTo(ca);
        assertThat(values.get(MODE)).isEqualTo(Mode.SAFE_MODE);
        assertThat(values.get(TOPICS)).containsExactly("one");
        assertThat(values.get(PRODUCER)).containsExactlyInAnyOrderEntriesOf(Map.of("max.request.size", "5", "acks", "all"));
        assertThat(values.path(TLS)).isEqualTo("pgcdc.test.tls.enabled");
    }

    @Test
    void reportsEveryProblemAtOnceWithTheFullKeyAndFallsBackToTheDefault() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("port", 70000);
        raw.put("size", "lots");
        raw.put("linger", "-5ms");
        raw.put("tls", Map.of("enabled", List.of(true), "ca-file", temp.resolve("missing.pem").toString(), "verfy", true));
        raw.put("mode", "fsat");
        raw.put("topics", List.of("a", Map.of("b", 1)));
        raw.put("producer", "acks=all");
        raw.put("sasl", Map.of("password", List.of("hunter2")));
        raw.put("lingr", "5ms");
        Values values = SECTION.read(new PluginConfig("pgcdc.test", raw).withOrigins(key -> "app.conf: 3"));

        assertThat(values.get(PORT)).isEqualTo(8080);
        assertThat(values.problems().list()).containsExactlyInAnyOrder(
                "pgcdc.test.lingr = \"5ms\" (app.conf: 3) is not a known key; did you mean pgcdc.test.linger?",
                "pgcdc.test.tls.verfy = true (app.conf: 3) is not a known key; known keys here: ca-file, enabled",
                "pgcdc.test.servers is required, e.g. \"localhost:9092\"",
                "pgcdc.test.port = 70000 is out of range; allowed: 0 to 65535",
                "pgcdc.test.size = \"lots\" is not a size; allowed: a size such as 1048576, 512KiB or 64MiB",
                "pgcdc.test.linger = \"-5ms\" is not a duration; allowed: a duration such as 500ms, 30s or 2m",
                "pgcdc.test.tls.enabled = [true] is not a boolean; allowed: true, false",
                "pgcdc.test.tls.ca-file = \"" + temp.resolve("missing.pem") + "\" is not a readable file",
                "pgcdc.test.mode = \"fsat\" is not allowed; allowed: fast, safe-mode (did you mean fast?)",
                "pgcdc.test.topics[1] = {\"b\":1} is not a string",
                "pgcdc.test.producer = \"acks=all\" is not an object; allowed: { key = value, ... }",
                "pgcdc.test.sasl.password = ****** is not a string");
        assertThatThrownBy(values.problems()::throwIfAny).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("invalid configuration (12 problems):").message().doesNotContain("hunter2");
    }

    @Test
    void aListOrObjectWhereTextBelongsIsAnError() {
        Values values = SECTION.read(new PluginConfig("pgcdc.test", Map.of("servers", List.of("a:1", "b:2"))));
        assertThat(values.problems().list()).containsExactly("pgcdc.test.servers = [\"a:1\",\"b:2\"] is not a string");
    }

    @Test
    void aNestedObjectWrittenAsAValueIsReported() {
        Values values = SECTION.read(new PluginConfig("pgcdc.test", Map.of("servers", "k:1", "tls", true)));
        assertThat(values.problems().list()).containsExactly("pgcdc.test.tls = true is not an object; allowed: { key = value, ... }");
    }

    @Test
    void aCheckOfAValueBuiltInCodeRendersItAsAFileWould() {
        Problems problems = new Problems();
        PORT.check("pgcdc.test.port", -1, problems);
        SIZE.check("pgcdc.test.size", 0L, problems);
        LINGER.check("pgcdc.test.linger", Duration.ofMillis(-1500), problems);
        SERVERS.check("pgcdc.test.servers", null, problems);
        assertThat(problems.list()).containsExactly(
                "pgcdc.test.port = -1 is out of range; allowed: 0 to 65535",
                "pgcdc.test.size = 0 must be at least 1",
                "pgcdc.test.linger = -1500ms must be zero or more",
                "pgcdc.test.servers is required, e.g. \"localhost:9092\"");
        assertThat(SIZE.renderedDefault()).isEqualTo("10MiB");
        assertThat(LINGER.renderedDefault()).isEqualTo("10ms");
    }

    @Test
    void aSettingIsDeclaredOnce() {
        assertThatThrownBy(() -> Section.of("pgcdc.x", PORT, Setting.string("port")))
                .hasMessage("pgcdc.x.port is declared twice");
    }

    @Test
    void suggestsWithOneAlgorithm() {
        assertThat(Suggestions.closest("hots", List.of("host", "port"))).contains("host");
        assertThat(Suggestions.closest("htpp", List.of("http", "pipeline"))).contains("http");
        assertThat(Suggestions.closest("Lingr", List.of("linger"))).contains("linger");
        assertThat(Suggestions.closest("retries", List.of("poll-timeout", "error-policy"))).isEmpty();
    }

    @Test
    void secretsAreMaskedAtEveryDepth() {
        assertThat(Secrets.isSecret("pgcdc.kafka.producer.\"sasl.jaas.config\"")).isTrue();
        assertThat(Secrets.isSecret("pgcdc.postgres.host")).isFalse();
        assertThat(Secrets.render("pgcdc.x", Map.of("a", List.of(Map.of("client-secret", "hunter2")))))
                .isEqualTo("{\"a\":[{\"client-secret\":\"******\"}]}");
        assertThat(Secrets.redactor(Map.of("pgcdc", Map.of("postgres", Map.of("password", "postgres"))))
                .apply("pgcdc.postgres.host was [postgres] or \"postgres\"")).isEqualTo("pgcdc.postgres.host was [******] or ******");
    }
}
