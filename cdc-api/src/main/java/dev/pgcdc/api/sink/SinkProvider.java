package dev.pgcdc.api.sink;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Makes {@link Sink}s of one kind, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.pgcdc.api.sink.SinkProvider}) and selected by {@link #name()}
 * ({@code sink.name}). Needs a public no-argument constructor. Stateless; any thread.
 *
 * <p>The contract, as every provider's: a name, the settings it declares ({@link #settings()}), a
 * {@link #validate} that reports every problem without creating or connecting anything, and a
 * {@link #create(PluginContext)} that receives a {@link PluginContext}. A provider written against
 * the first version of this interface (only {@link #create(PluginConfig)}) still works: the defaults
 * below make it from its section, and validate it by making one and closing it.
 */
public interface SinkProvider {

    /** The name configuration selects this provider by, e.g. {@code kafka}. */
    String name();

    /**
     * The section this sink is configured from, declared once. Empty (the default): the sink reads
     * {@code pgcdc.sink.<name>} and checks its keys itself.
     */
    default Optional<Section> settings() {
        return Optional.empty();
    }

    /**
     * {@code context}'s section as the sink reads it: with the defaults that depend on the context
     * (the Kafka sink's {@code transactional-id} is {@code pgcdc-<slot>}). The default: the section as written.
     */
    default PluginConfig resolve(PluginContext context) {
        return context.config();
    }

    /**
     * Adds every problem of {@code context}'s section (and of its relation to the captured tables) to
     * {@code problems}, each naming its full key; creates nothing and connects nowhere. The default
     * makes a sink with {@link #create(PluginContext)} and closes it (sinks connect in {@link Sink#start}).
     */
    default void validate(PluginContext context, Problems problems) {
        problems.collect(() -> {
            try (Sink sink = create(context)) {
                return sink;
            }
        });
    }

    /**
     * A sink configured from {@code context}. The default calls {@link #create(PluginConfig)} with its section.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    default Sink create(PluginContext context) {
        return create(context.config());
    }

    /**
     * A sink configured from its section: the first version of this interface; implement
     * {@link #create(PluginContext)} instead.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    default Sink create(PluginConfig config) {
        throw new UnsupportedOperationException("the sink provider " + getClass().getName() + " implements neither create method");
    }

    /** The topic each table's records go to, for the {@code topic_name} label of the metrics; empty (the default) when the sink maps none. */
    default Map<TableId, String> tableTopics(PluginConfig config) {
        return Map.of();
    }

    /**
     * The topic a table's records go to (null when none), for the {@code topic_name} label of the metrics:
     * for a sink that names topics by a pattern as well as by a mapping. The default looks the table up in
     * {@link #tableTopics}.
     */
    default Function<TableId, String> topicOf(PluginConfig config) {
        return Map.copyOf(tableTopics(config))::get;
    }

    /**
     * Valid settings of {@code config} that weaken a delivery guarantee, one sentence each naming the
     * key; {@code pgcdc validate} prints them. None by default.
     */
    default List<String> warnings(PluginConfig config) {
        return List.of();
    }

    /**
     * When {@code config} makes the sink store positions with its data (exactly-once): the setting
     * that does, as {@code key = value} for messages (a snapshot cannot be combined with it yet).
     * Empty by default, and when the section cannot be read (its problems are reported by {@link #validate}).
     */
    default Optional<String> exactlyOnceSetting(PluginConfig config) {
        return Optional.empty();
    }
}
