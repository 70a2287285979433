package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.app.config.AppSettings;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.PluginMeters;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.http.StatusServer;
import dev.pgcdc.metrics.pipeline.PipelineMetrics;
import dev.pgcdc.metrics.slot.SlotMonitor;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import dev.pgcdc.metrics.status.ServiceState;

/** Meters (Prometheus registry, pipeline, slot, snapshot, the plugins' own), the service state and the HTTP endpoints. */
public final class MetricsModule extends AbstractModule {

    @Provides
    @Singleton
    ServiceMeters meters(MetricLabels labels) {
        return new ServiceMeters(labels);
    }

    /** Where plugins register their own meters (through {@code PluginContext.meters()}): the same registry. */
    @Provides
    @Singleton
    MeterRegistrar pluginMeters(ServiceMeters meters) {
        return new PluginMeters(meters.registry());
    }

    @Provides
    @Singleton
    PipelineListener pipelineListener(ServiceMeters meters, TableTopics topics) {
        return new PipelineMetrics(meters.registry(), topics::topicOf);
    }

    @Provides
    @Singleton
    SnapshotMetrics snapshotMetrics(ServiceMeters meters) {
        return new SnapshotMetrics(meters.registry());
    }

    @Provides
    @Singleton
    ServiceState state() {
        return new ServiceState();
    }

    @Provides
    @Singleton
    SlotMonitor slotMonitor(SlotStatistics statistics, AppSettings settings, ServiceMeters meters) {
        return new SlotMonitor(statistics, settings.slotInterval(), meters.registry());
    }

    @Provides
    @Singleton
    StatusServer statusServer(AppSettings settings, ServiceMeters meters, SlotMonitor slotMonitor, ServiceState state, MetricLabels labels) {
        return new StatusServer(settings.http(), meters, slotMonitor, state, labels.slotName());
    }
}
