package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.pipeline.DeadLetterEncoder;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.app.config.AppSettings;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.Service;
import dev.pgcdc.app.lifecycle.SlotGate;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.http.StatusServer;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import dev.pgcdc.metrics.status.ServiceState;
import java.util.Map;
import java.util.Optional;

/**
 * The streaming pipeline (source, the handler selected by {@code handler.name}, sink, listener) and
 * the {@link Service} that owns the lifecycle of everything.
 */
public final class PipelineModule extends AbstractModule {

    @Provides
    @Singleton
    ChangeHandler handler(Map<String, ChangeHandlerProvider> providers, ServiceConfiguration configuration, MeterRegistrar meters) {
        return PluginCatalog.select(providers, configuration.app().handlerName(), "pgcdc.handler.name", "handler")
                .create(configuration.handlerContext().withMeters(meters));
    }

    /**
     * Dead letters in the selected handler's own encoding (the json handler's: the event as JSON in its
     * envelope, plus the error headers). A handler without one gets the default encoding of the first
     * handler found, by name, that offers one from its declared defaults (the json handler's pgcdc
     * envelope when it is on the class path), else the event's text form.
     */
    @Provides
    @Singleton
    DeadLetterEncoder deadLetterEncoder(Map<String, ChangeHandlerProvider> providers, ServiceConfiguration configuration) {
        Optional<DeadLetterEncoder> own = Optional.ofNullable(providers.get(configuration.app().handlerName()))
                .flatMap(provider -> provider.deadLetterEncoder(configuration.handlerSection()));
        return own.or(() -> new java.util.TreeMap<>(providers).values().stream()
                        .flatMap(provider -> provider.deadLetterEncoder(PluginConfig.empty("pgcdc.handler." + provider.name())).stream())
                        .findFirst())
                .orElseGet(DeadLetterEncoder::plainText);
    }

    @Provides
    @Singleton
    PipelineSettings pipelineSettings(AppSettings settings, DeadLetterEncoder deadLetterEncoder) {
        PipelineSettings p = settings.pipeline();
        return new PipelineSettings(p.maxInFlightEvents(), p.maxInFlightBytes(), p.pollBatchSize(), p.pollTimeout(), p.errorPolicy(),
                p.deadLetterTopic(), deadLetterEncoder, p.shutdownTimeout());
    }

    @Provides
    @Singleton
    Pipeline pipeline(MetricLabels labels, ChangeSource source, ChangeHandler handler, Sink sink, PipelineSettings settings,
                      PipelineListener listener) {
        return new Pipeline(labels.slotName(), source, handler, sink, settings, listener);
    }

    @Provides
    @Singleton
    Service service(MetricLabels labels, ServiceState state, ServiceMeters meters, SnapshotMetrics snapshotMetrics,
                    SlotMonitor slotMonitor, StatusServer http, Pipeline pipeline, SlotGate slotGate, SnapshotModule.SnapshotPlan snapshot) {
        // snapshotMetrics: its gauges are registered (at 0) with the other meters before anything starts
        return new Service(labels.slotName(), state, meters, slotMonitor, http, pipeline, slotGate, snapshot.phase(), snapshot.streamAfterwards());
    }
}
