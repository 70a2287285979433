package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.util.Map;
import java.util.function.Function;

/**
 * The sink, whichever provider {@code sink.name} selects (the Kafka sink or one on the class path),
 * made from its section and the plugins' context, and the topic of each table for the metrics'
 * {@code topic_name} ({@code unmapped} when the sink names none).
 */
public final class SinkModule extends AbstractModule {

    @Provides
    @Singleton
    SinkProvider provider(Map<String, SinkProvider> providers, ServiceConfiguration configuration) {
        return PluginCatalog.select(providers, configuration.app().sinkName(), "pgcdc.sink.name", "sink");
    }

    @Provides
    @Singleton
    Sink sink(SinkProvider provider, ServiceConfiguration configuration, MeterRegistrar meters) {
        return provider.create(configuration.sinkContext().withMeters(meters));
    }

    @Provides
    @Singleton
    TableTopics tableTopics(SinkProvider provider, ServiceConfiguration configuration) {
        Function<TableId, String> topics = provider.topicOf(configuration.sinkSection());
        return topics::apply;
    }
}
