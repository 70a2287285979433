package dev.pgcdc.kafka.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonChangeHandlerProvider;
import dev.pgcdc.kafka.KafkaSink;
import dev.pgcdc.kafka.KafkaSinkProvider;
import dev.pgcdc.kafka.Workload;
import dev.pgcdc.testkit.source.ScriptedSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Handlers and sinks are found by name through ServiceLoader, the built-in ones and a user's alike. */
class ServiceLoaderDiscoveryTest {

    @Test
    void findsTheBuiltInKafkaSinkAndJsonHandlerByName() {
        SinkProvider kafka = sinkProvider("kafka");
        ChangeHandlerProvider json = handlerProvider("json");

        assertThat(kafka).isInstanceOf(KafkaSinkProvider.class);
        assertThat(json).isInstanceOf(JsonChangeHandlerProvider.class);
        Sink sink = kafka.create(new PluginConfig("pgcdc.kafka", Map.of("bootstrap-servers", "localhost:9092",
                "table-topic-mapping", Map.of("public.users", "users"))));
        assertThat(sink).isInstanceOf(KafkaSink.class);
        assertThat(json.create(PluginConfig.empty("pgcdc.handler.json"))).isInstanceOf(JsonChangeHandler.class);
    }

    @Test
    void runsAPipelineWithAUsersHandlerAndAnAlternativeSinkBothFoundByName() throws Exception {
        ChangeHandler handler = handlerProvider("test-prefixing").create(new PluginConfig("pgcdc.handler.test-prefixing",
                Map.of("prefix", "seen")));
        Sink sink = sinkProvider("test-memory").create(PluginConfig.empty("pgcdc.sink.test-memory"));
        MemorySinkProvider.RECEIVED.clear();
        ScriptedSource source = new ScriptedSource(3, new Workload(TableId.parse("public.users"), 10)::event);

        try (Pipeline pipeline = new Pipeline("discovery", source, handler, sink)) {
            pipeline.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> source.acknowledgedCount() == 3);
        }

        assertThat(MemorySinkProvider.RECEIVED).extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                .containsExactly("seen:c:0/40#0", "seen:c:0/80#0", "seen:c:0/C0#0");
        assertThat(source.confirmedLsn()).isEqualTo(Workload.lsnOf(3));
    }

    private static SinkProvider sinkProvider(String name) {
        List<SinkProvider> found = ServiceLoader.load(SinkProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals(name)).toList();
        assertThat(found).as("sink providers named " + name).hasSize(1);
        return found.get(0);
    }

    private static ChangeHandlerProvider handlerProvider(String name) {
        List<ChangeHandlerProvider> found = ServiceLoader.load(ChangeHandlerProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(provider -> provider.name().equals(name)).toList();
        assertThat(found).as("handler providers named " + name).hasSize(1);
        return found.get(0);
    }
}
