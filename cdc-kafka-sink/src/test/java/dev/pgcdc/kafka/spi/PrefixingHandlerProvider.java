package dev.pgcdc.kafka.spi;

import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.Values;
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

    private static final Setting<String> PREFIX = Setting.string("prefix").defaultsTo("event").doc("the first part of each value");
    private static final Section SECTION = Section.of("pgcdc.handler.test-prefixing", PREFIX);

    @Override
    public String name() {
        return "test-prefixing";
    }

    @Override
    public ChangeHandler create(PluginConfig config) {
        Values values = SECTION.read(config);
        values.problems().throwIfAny();
        String prefix = values.get(PREFIX);
        return event -> List.of(OutRecord.of(
                (event.table() == null ? "" : event.table().toString()).getBytes(StandardCharsets.UTF_8),
                (prefix + ":" + event.operation().code() + ":" + event.position()).getBytes(StandardCharsets.UTF_8)));
    }
}
