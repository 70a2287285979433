package dev.pgcdc.examples.audit;

import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;

/**
 * The worked example of docs/handler-guide.md: a handler named {@code audit-trail}, configured from
 * {@code pgcdc.handler.audit-trail}, listed in {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider}.
 */
public final class AuditTrailHandlerProvider implements ChangeHandlerProvider {

    @Override
    public String name() {
        return "audit-trail";
    }

    @Override
    public ChangeHandler create(PluginConfig config) {
        String topic = config.requireString("topic");                 // pgcdc.handler.audit-trail.topic
        boolean includeValues = config.getBoolean("include-values", false);
        return new AuditTrailHandler(topic, includeValues);
    }
}
