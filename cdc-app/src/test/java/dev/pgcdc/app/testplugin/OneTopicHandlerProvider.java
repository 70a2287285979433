package dev.pgcdc.app.testplugin;

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
 * A handler plugin that cdc-app's own tests find on their class path (listed in this test tree's
 * {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider}), as an operator's jar
 * would be: named {@code one-topic}, configured from {@code pgcdc.handler.one-topic} with a
 * required {@code topic} and an optional {@code keyed}. It writes {@code <operation> <table>} for
 * every row change to that topic, keyed by the table when {@code keyed = true}. It is a fixture of the
 * plugin discovery and configuration tests, not an example for users: those live in
 * integration-tests ({@code dev.pgcdc.examples}). Stateless and thread-safe.
 */
public final class OneTopicHandlerProvider implements ChangeHandlerProvider {

    static final Setting<String> TOPIC = Setting.string("topic").required().doc("the topic every change goes to");
    static final Setting<Boolean> KEYED = Setting.bool("keyed").defaultsTo(false).doc("key each record by its table");
    static final Section SECTION = Section.of("pgcdc.handler.one-topic", TOPIC, KEYED);

    @Override
    public String name() {
        return "one-topic";
    }

    @Override
    public ChangeHandler create(PluginConfig config) {
        Values values = SECTION.read(config);
        values.problems().throwIfAny();
        String topic = values.get(TOPIC);
        boolean keyed = values.get(KEYED);
        return event -> event.table() == null ? List.of() // a logical decoding message: filtered out
                : List.of(new OutRecord(topic, keyed ? bytes(event.table().toString()) : null,
                        bytes(event.operation() + " " + event.table()), List.of()));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
