package dev.pgcdc.api.plugin;

import dev.pgcdc.api.event.TableId;
import java.util.List;
import java.util.Objects;

/**
 * What a provider's {@code validate} and {@code create} receive besides its own settings, in the
 * pattern of trino's {@code ConnectorContext} and Flink CDC's {@code Factory.Context}: plain JDK
 * values, nothing of the service's wiring. Made with the canonical constructor (meters {@link MeterRegistrar#NONE}
 * until the service hands its registrar with {@link #withMeters}) or {@link #of} for a section alone.
 * Immutable and thread-safe.
 *
 * @param config             the provider's own section (for a sink {@code pgcdc.sink.<name>} or the section it declares,
 *                           for a handler {@code pgcdc.handler.<name>}, for a source the {@code pgcdc} root)
 * @param tables             the tables the publication lists (empty when it lists none, or when the list is itself bad and reported)
 * @param allTables          whether the publication captures every table of the database
 * @param pipelineName       the name of the stream: the replication slot's name (may be null when the slot's name is missing, which is reported)
 * @param instanceId         this instance's id in its group (the snapshot's and failover's)
 * @param handlerLeavesTopicsToSink for a sink: whether the configured handler writes records without a topic, so the sink
 *                           routes each table's records itself and every captured table needs a route
 * @param handlerTopicPrefix for a sink: the configured handler's topic prefix
 *                           ({@link dev.pgcdc.api.handler.ChangeHandlerProvider#topicPrefix}), or null when it has none
 * @param meters             where the plugin registers its own meters ({@link MeterRegistrar#NONE} outside a service); only
 *                           {@code create} registers, {@code validate} never does
 */
public record PluginContext(PluginConfig config, List<TableId> tables, boolean allTables, String pipelineName, String instanceId,
        boolean handlerLeavesTopicsToSink, String handlerTopicPrefix, MeterRegistrar meters) {

    public PluginContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(meters, "meters");
        tables = List.copyOf(tables);
    }

    /** A context of {@code config} alone: no tables, no pipeline or instance name, no meters (tests, embedding). */
    public static PluginContext of(PluginConfig config) {
        return new PluginContext(config, List.of(), false, null, null, false, null, MeterRegistrar.NONE);
    }

    /** This context for another provider's section. */
    public PluginContext withConfig(PluginConfig other) {
        return new PluginContext(other, tables, allTables, pipelineName, instanceId, handlerLeavesTopicsToSink, handlerTopicPrefix, meters);
    }

    /** This context with meters registered on {@code registrar}. */
    public PluginContext withMeters(MeterRegistrar registrar) {
        return new PluginContext(config, tables, allTables, pipelineName, instanceId, handlerLeavesTopicsToSink, handlerTopicPrefix, registrar);
    }
}
