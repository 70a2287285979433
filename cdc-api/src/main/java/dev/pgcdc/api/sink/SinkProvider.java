package dev.pgcdc.api.sink;

import dev.pgcdc.api.plugin.PluginConfig;

/**
 * Makes {@link Sink}s of one kind, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.pgcdc.api.sink.SinkProvider}) and selected by {@link #name()}
 * ({@code sink.name}). Needs a public no-argument constructor.
 */
public interface SinkProvider {

    /** The name configuration selects this provider by, e.g. {@code kafka}. */
    String name();

    /**
     * A sink configured from its section of the configuration.
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    Sink create(PluginConfig config);
}
