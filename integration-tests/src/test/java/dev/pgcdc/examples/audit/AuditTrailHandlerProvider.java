package dev.pgcdc.examples.audit;

import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;

/**
 * The worked example of docs/handler-guide.md: a handler named {@code audit-trail}, configured from
 * {@code pgcdc.handler.audit-trail}, listed in {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider}.
 */
public final class AuditTrailHandlerProvider implements ChangeHandlerProvider {

    static final Setting<String> TOPIC = Setting.string("topic").required().doc("the topic every line goes to");
    static final Setting<Boolean> INCLUDE_VALUES = Setting.bool("include-values").defaultsTo(false).doc("add the row's values to each line");
    static final Section SECTION = Section.of("pgcdc.handler.audit-trail", TOPIC, INCLUDE_VALUES);

    @Override
    public String name() {
        return "audit-trail";
    }

    @Override
    public ChangeHandler create(PluginConfig config) {
        Values values = SECTION.read(config);       // every problem of the section, each naming its full key
        values.problems().throwIfAny();
        return new AuditTrailHandler(values.get(TOPIC), values.get(INCLUDE_VALUES));
    }
}
