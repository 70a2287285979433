package dev.pgcdc.app.wiring;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.spi.Message;
import dev.pgcdc.api.CdcException;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.Service;
import dev.pgcdc.app.plugin.PluginCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Composes the modules the configuration calls for and builds the {@link Service} (production stage:
 * every singleton is made now, so a wiring mistake fails here, before anything connects; nothing
 * connects while being made).
 */
public final class ServiceBootstrap {

    private ServiceBootstrap() {
    }

    /** The modules of every service: the plugins the configuration names are selected inside them, by name. */
    public static List<Module> modules(ServiceConfiguration configuration, PluginCatalog catalog) {
        return List.of(new ConfigurationModule(configuration, catalog), new SourceModule(), new PostgresSourceModule(), new SinkModule(),
                new MetricsModule(), new FailoverModule(), new SnapshotModule(), new PipelineModule());
    }

    /**
     * The wired, not yet started service.
     *
     * @throws CdcException the adapter's own exception when making a part failed (e.g. a
     *                      {@link dev.pgcdc.api.ConfigurationException} of a plugin), else one naming the wiring problem
     */
    public static Service create(ServiceConfiguration configuration, PluginCatalog catalog) {
        try {
            Injector injector = Guice.createInjector(Stage.PRODUCTION, modules(configuration, catalog));
            return injector.getInstance(Service.class);
        } catch (CreationException e) {
            throw unwrap(e.getErrorMessages(), e);
        } catch (ProvisionException e) {
            throw unwrap(e.getErrorMessages(), e);
        }
    }

    private static CdcException unwrap(Collection<Message> messages, RuntimeException wiringError) {
        List<String> texts = new ArrayList<>();
        for (Message message : messages) {
            Throwable cause = message.getCause();
            while (cause != null) {
                if (cause instanceof CdcException cdc) {
                    return cdc;
                }
                cause = cause.getCause();
            }
            texts.add(message.getMessage());
        }
        return new CdcException("the service cannot be wired: " + String.join("; ", texts), wiringError);
    }
}
