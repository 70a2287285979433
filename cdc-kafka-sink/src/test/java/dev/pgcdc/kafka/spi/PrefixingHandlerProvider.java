package dev.pgcdc.kafka.spi;

import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.plugin.PluginConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A user's handler as a user would ship it: a jar (here the test classes) with a
 * {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider} entry. Writes
 * {@code <prefix>:<op>:<position>} as the value, keyed by the table name.
 */
public final class PrefixingHandlerProvider implements ChangeHandlerProvider {

    @Override
    public String name() {
        return "test-prefixing";
    }

    @Override
    public ChangeHandler create(PluginConfig config) {
        String prefix = config.getString("prefix", "event");
        return event -> List.of(OutRecord.of(
                (event.table() == null ? "" : event.table().toString()).getBytes(StandardCharsets.UTF_8),
                (prefix + ":" + event.operation().code() + ":" + event.position()).getBytes(StandardCharsets.UTF_8)));
    }
}
