package dev.pgcdc.app.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.app.testplugin.OneTopicHandlerProvider;
import dev.pgcdc.json.JsonChangeHandlerProvider;
import dev.pgcdc.kafka.KafkaSinkProvider;
import dev.pgcdc.postgres.PostgresSourceProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginCatalogTest {

    @Test
    void discoversTheBuiltInProvidersAndTheOnesAddedToTheClassPath() {
        PluginCatalog catalog = PluginCatalog.discover(getClass().getClassLoader());

        assertThat(catalog.problems()).isEmpty();
        assertThat(catalog.handlers()).containsOnlyKeys("json", "one-topic");
        assertThat(catalog.handlers().get("json")).isInstanceOf(JsonChangeHandlerProvider.class);
        assertThat(catalog.handlers().get("one-topic")).isInstanceOf(OneTopicHandlerProvider.class);
        assertThat(catalog.sinks()).containsOnlyKeys("kafka");
        assertThat(catalog.sinks().get("kafka")).isInstanceOf(KafkaSinkProvider.class);
    }

    @Test
    void twoProvidersWithOneNameAreAProblemNamingBoth() {
        PluginCatalog catalog = PluginCatalog.of(List.of(new JsonChangeHandlerProvider(), new ImpostorJsonProvider()), List.of(new KafkaSinkProvider()));

        assertThat(catalog.problems()).singleElement().asString()
                .startsWith("2 handler providers are named \"json\": dev.pgcdc.json.JsonChangeHandlerProvider from file:")
                .contains(" and dev.pgcdc.app.plugin.PluginCatalogTest$ImpostorJsonProvider from file:")
                .endsWith("; remove all but one from the class path");
    }

    @Test
    void selectingAnUnknownNameListsTheNamesFound() {
        PluginCatalog catalog = PluginCatalog.discover(getClass().getClassLoader());

        assertThatThrownBy(() -> PluginCatalog.select(catalog.sinks(), "s3", "pgcdc.sink.name", "sink"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("invalid configuration: pgcdc.sink.name = \"s3\": no sink of that name is on the class path; "
                        + "found: kafka (dev.pgcdc.kafka.KafkaSinkProvider)");
    }

    @Test
    void saysSoWhenNoProviderOfAKindIsThereAtAll() {
        assertThat(PluginCatalog.unknownName(PluginCatalog.of(List.of(), List.of()).sinks(), "kafka", "pgcdc.sink.name", "sink"))
                .isEqualTo("pgcdc.sink.name = \"kafka\": no sink provider is on the class path at all; add the jar that has one");
    }

    @Test
    void theSourceIsTheOneSourceProviderOnTheClassPathAndTwoAreAProblem() {
        PluginCatalog catalog = PluginCatalog.discover(getClass().getClassLoader());
        assertThat(PluginCatalog.selectSource(catalog.sources())).isInstanceOf(PostgresSourceProvider.class);

        assertThatThrownBy(() -> PluginCatalog.selectSource(java.util.Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no source provider (META-INF/services/dev.pgcdc.api.source.ChangeSourceProvider) is on the class path");
        var two = new java.util.TreeMap<String, dev.pgcdc.api.source.ChangeSourceProvider>(catalog.sources());
        two.put("other", catalog.sources().get("postgres"));
        assertThatThrownBy(() -> PluginCatalog.selectSource(two))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("2 source providers are on the class path: other (dev.pgcdc.postgres.PostgresSourceProvider), postgres (");
    }

    /** A second provider claiming the name {@code json}. */
    static final class ImpostorJsonProvider implements ChangeHandlerProvider {
        @Override
        public String name() {
            return "json";
        }

        @Override
        public ChangeHandler create(PluginConfig config) {
            return event -> List.of();
        }
    }
}
