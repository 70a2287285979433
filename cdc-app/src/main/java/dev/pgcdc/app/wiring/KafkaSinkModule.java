package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.kafka.KafkaSinkSettings;
import java.util.Map;

/**
 * The Kafka sink ({@code sink.name = kafka}): made by the {@code kafka} provider found on the class
 * path from {@code pgcdc.kafka}, plus its table-to-topic mapping for the metrics' {@code topic_name}.
 */
public final class KafkaSinkModule extends AbstractModule {

    @Provides
    @Singleton
    KafkaSinkSettings settings(ServiceConfiguration configuration) {
        return KafkaSinkSettings.from(configuration.sinkSection());
    }

    @Provides
    @Singleton
    Sink sink(Map<String, SinkProvider> providers, ServiceConfiguration configuration) {
        return PluginCatalog.select(providers, ServiceConfiguration.KAFKA_SINK, "pgcdc.sink.name", "sink").create(configuration.sinkSection());
    }

    @Provides
    @Singleton
    TableTopics tableTopics(KafkaSinkSettings settings) {
        Map<dev.pgcdc.api.event.TableId, String> mapping = settings.tableTopicMapping();
        return mapping::get;
    }
}
