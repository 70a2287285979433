package dev.pgcdc.api.handler;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.pipeline.DeadLetterEncoder;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import java.util.Optional;

/**
 * Makes {@link ChangeHandler}s of one kind, found with {@link java.util.ServiceLoader} (list the
 * implementation in {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider}) and
 * selected by {@link #name()} ({@code handler.name} in the service's configuration). Needs a public
 * no-argument constructor. Stateless; any thread.
 *
 * <p>The contract, as every provider's: a name, the settings it declares ({@link #settings()}), a
 * {@link #validate} that reports every problem without creating anything, and a
 * {@link #create(PluginContext)} that receives a {@link PluginContext}. A provider written against
 * the first version of this interface (only {@link #create(PluginConfig)}) still works: the defaults
 * below make it from its section, and validate it by making one and closing it.
 */
public interface ChangeHandlerProvider {

    /** The name configuration selects this provider by, e.g. {@code json}. */
    String name();

    /**
     * The section {@code pgcdc.handler.<name>}, declared once. Empty (the default): the handler
     * checks its section's keys itself.
     */
    default Optional<Section> settings() {
        return Optional.empty();
    }

    /**
     * Adds every problem of {@code context}'s section to {@code problems}, each naming its full key.
     * The default makes a handler and closes it (handlers hold nothing external before use).
     */
    default void validate(PluginContext context, Problems problems) {
        problems.collect(() -> {
            try (ChangeHandler handler = create(context)) {
                return handler;
            }
        });
    }

    /**
     * A handler configured from {@code context} (its section {@code pgcdc.handler.<name>}). The
     * default calls {@link #create(PluginConfig)}.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    default ChangeHandler create(PluginContext context) {
        return create(context.config());
    }

    /**
     * A handler configured from the provider's own section: the first version of this interface;
     * implement {@link #create(PluginContext)} instead.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    default ChangeHandler create(PluginConfig config) {
        throw new UnsupportedOperationException("the handler provider " + getClass().getName() + " implements neither create method");
    }

    /**
     * Whether the handler writes records without a topic ({@link OutRecord#topic()} null), leaving the
     * sink to route each table's records: then the sink checks that every captured table has a route.
     * False by default.
     */
    default boolean leavesTopicsToSink() {
        return false;
    }

    /**
     * The topic prefix the handler's format names for the records it leaves to the sink (Debezium's
     * {@code topic.prefix}, which Debezium's envelopes write as {@code source.name}): a sink names a
     * table's topic {@code <prefix>.<schema>.<table>} unless it is configured otherwise. Empty (the
     * default) for none, and when {@code config} cannot be read (its problems are reported by {@link #validate}).
     */
    default Optional<String> topicPrefix(PluginConfig config) {
        return Optional.empty();
    }

    /**
     * How an event this handler failed on is written to the dead-letter topic, in the handler's own
     * encoding. Empty (the default): the service's default encoding (see docs/architecture.md).
     */
    default Optional<DeadLetterEncoder> deadLetterEncoder(PluginConfig config) {
        return Optional.empty();
    }
}
