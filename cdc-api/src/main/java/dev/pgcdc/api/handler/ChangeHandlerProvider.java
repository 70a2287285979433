package dev.pgcdc.api.handler;

import dev.pgcdc.api.plugin.PluginConfig;

/**
 * Makes {@link ChangeHandler}s of one kind, found with {@link java.util.ServiceLoader} (list the
 * implementation in {@code META-INF/services/dev.pgcdc.api.handler.ChangeHandlerProvider}) and
 * selected by {@link #name()} ({@code handler.name} in the service's configuration). Needs a public
 * no-argument constructor.
 */
public interface ChangeHandlerProvider {

    /** The name configuration selects this provider by, e.g. {@code json}. */
    String name();

    /**
     * A handler configured from the provider's own section ({@code pgcdc.handler.<name>}).
     *
     * @throws dev.pgcdc.api.ConfigurationException naming every bad key
     */
    ChangeHandler create(PluginConfig config);
}
