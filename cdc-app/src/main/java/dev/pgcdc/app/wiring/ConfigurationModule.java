package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.api.source.ChangeSourceProvider;
import dev.pgcdc.app.config.AppSettings;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.util.Objects;

/**
 * The validated configuration and the plugins found on the class path: every provider is bound by
 * name in a {@link MapBinder}, so other modules select one by the configured name.
 */
public final class ConfigurationModule extends AbstractModule {

    private final ServiceConfiguration configuration;
    private final PluginCatalog catalog;

    public ConfigurationModule(ServiceConfiguration configuration, PluginCatalog catalog) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    @Override
    protected void configure() {
        binder().requireExplicitBindings();
        binder().disableCircularProxies();
        bind(ServiceConfiguration.class).toInstance(configuration);
        bind(AppSettings.class).toInstance(configuration.app());
        MapBinder<String, ChangeSourceProvider> sources = MapBinder.newMapBinder(binder(), String.class, ChangeSourceProvider.class);
        catalog.sources().forEach((name, provider) -> sources.addBinding(name).toInstance(provider));
        MapBinder<String, ChangeHandlerProvider> handlers = MapBinder.newMapBinder(binder(), String.class, ChangeHandlerProvider.class);
        catalog.handlers().forEach((name, provider) -> handlers.addBinding(name).toInstance(provider));
        MapBinder<String, SinkProvider> sinks = MapBinder.newMapBinder(binder(), String.class, SinkProvider.class);
        catalog.sinks().forEach((name, provider) -> sinks.addBinding(name).toInstance(provider));
    }
}
