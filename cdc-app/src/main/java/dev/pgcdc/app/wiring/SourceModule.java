package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.api.source.ChangeSourceProvider;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.util.Map;

/**
 * The change source, made by its {@link ChangeSourceProvider} like every plugin: with the
 * {@code pgcdc} root as its section, the captured tables, the slot's name, the instance id (the
 * PostgreSQL source names itself after it in {@code pg_stat_replication}, so passive instances see
 * who streams) and the plugins' meters. Nothing connects here. What failover and the snapshot need
 * beyond {@link ChangeSource} they ask of the source through its optional capability
 * ({@link dev.pgcdc.api.source.SlotSource}), never through its class.
 */
public final class SourceModule extends AbstractModule {

    @Provides
    @Singleton
    ChangeSourceProvider provider(Map<String, ChangeSourceProvider> providers) {
        return PluginCatalog.selectSource(providers);
    }

    @Provides
    @Singleton
    ChangeSource source(ChangeSourceProvider provider, ServiceConfiguration configuration, MeterRegistrar meters) {
        return provider.create(configuration.context().withMeters(meters));
    }
}
