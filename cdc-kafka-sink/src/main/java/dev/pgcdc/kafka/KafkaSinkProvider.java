package dev.pgcdc.kafka;

import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;

/** {@code sink.name = kafka}: a {@link KafkaSink} from the {@code pgcdc.kafka} section. Found by ServiceLoader. */
public final class KafkaSinkProvider implements SinkProvider {

    @Override
    public String name() {
        return "kafka";
    }

    /** @param config the {@code pgcdc.kafka} section */
    @Override
    public Sink create(PluginConfig config) {
        return new KafkaSink(KafkaSinkSettings.from(config));
    }
}
