package dev.pgcdc.json;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.pipeline.DeadLetterEncoder;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import java.util.Optional;

/**
 * {@code handler.name = json}: a {@link JsonChangeHandler} from the section it declares,
 * {@code pgcdc.handler.json}. Its records carry no topic for table changes (the sink routes them by
 * table; under the Debezium envelopes {@code debezium.name} is the topic prefix), and its dead letters are the event in the same JSON. Found by ServiceLoader. Stateless.
 */
public final class JsonChangeHandlerProvider implements ChangeHandlerProvider {

    @Override
    public String name() {
        return "json";
    }

    @Override
    public Optional<Section> settings() {
        return Optional.of(JsonHandlerSettings.SECTION);
    }

    @Override
    public void validate(PluginContext context, Problems problems) {
        problems.collect(() -> JsonHandlerSettings.from(context.config()));
    }

    @Override
    public ChangeHandler create(PluginContext context) {
        return create(context.config());
    }

    /** @param config the {@code pgcdc.handler.json} section */
    @Override
    public ChangeHandler create(PluginConfig config) {
        return new JsonChangeHandler(JsonHandlerSettings.from(config));
    }

    @Override
    public boolean leavesTopicsToSink() {
        return true;
    }

    /** The Debezium envelopes' {@code debezium.name}: Debezium's {@code topic.prefix}, so topics are {@code <name>.<schema>.<table>}. */
    @Override
    public Optional<String> topicPrefix(PluginConfig config) {
        try {
            JsonHandlerSettings settings = JsonHandlerSettings.from(config);
            return settings.envelope().isDebezium() ? Optional.of(settings.debeziumName()) : Optional.empty();
        } catch (ConfigurationException e) {
            return Optional.empty(); // reported by validate
        }
    }

    @Override
    public Optional<DeadLetterEncoder> deadLetterEncoder(PluginConfig config) {
        return Optional.of(new JsonDeadLetterEncoder(JsonHandlerSettings.from(config)));
    }
}
