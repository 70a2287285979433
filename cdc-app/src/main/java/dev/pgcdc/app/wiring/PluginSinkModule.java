package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.util.Map;

/**
 * A sink other than Kafka: made by the provider named {@code sink.name} from {@code pgcdc.sink.<name>}.
 * Its topics are its own business, so the metrics label its records {@code topic_name="unmapped"}.
 */
public final class PluginSinkModule extends AbstractModule {

    @Provides
    @Singleton
    Sink sink(Map<String, SinkProvider> providers, ServiceConfiguration configuration) {
        return PluginCatalog.select(providers, configuration.app().sinkName(), "pgcdc.sink.name", "sink")
                .create(configuration.sinkSection());
    }

    @Provides
    @Singleton
    TableTopics tableTopics() {
        return table -> null;
    }
}
