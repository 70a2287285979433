package dev.pgcdc.kafka.json;

import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;

/** {@code handler.name = json}: a {@link JsonChangeHandler} from the {@code pgcdc.handler.json} section. Found by ServiceLoader. */
public final class JsonChangeHandlerProvider implements ChangeHandlerProvider {

    @Override
    public String name() {
        return "json";
    }

    /** @param config the {@code pgcdc.handler.json} section */
    @Override
    public ChangeHandler create(PluginConfig config) {
        return new JsonChangeHandler(JsonHandlerSettings.from(config));
    }
}
