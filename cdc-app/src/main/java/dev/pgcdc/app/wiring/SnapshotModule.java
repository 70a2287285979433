package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.pipeline.Pipeline;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.api.source.SlotSource;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.SnapshotPhase;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.coordination.snapshot.PostgresChunkClaimStore;
import dev.pgcdc.metrics.snapshot.SnapshotMetrics;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.metrics.status.SnapshotStatus;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.snapshot.ChunkedSnapshotter;
import dev.pgcdc.snapshot.PublishedTables;
import dev.pgcdc.snapshot.SnapshotProgress;
import dev.pgcdc.snapshot.SnapshotSections;
import dev.pgcdc.snapshot.SnapshotSettings;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The initial snapshot ({@code pgcdc.snapshot.mode} {@code initial} or {@code snapshot_only}): a
 * {@link ChunkedSnapshotter} over the coordination tables of cdc-coordination, run by the service's
 * {@link SnapshotPhase} in a pipeline of its own, with its own handler and sink made by the same
 * providers as the stream's. Nothing connects while wiring: the snapshotter and its tables are made
 * when the phase runs.
 */
public final class SnapshotModule extends AbstractModule {

    /** The snapshot phase and whether the service streams after it. */
    public record SnapshotPlan(SnapshotPhase phase, boolean streamAfterwards) {
    }

    @Provides
    @Singleton
    SnapshotPlan plan(ServiceConfiguration configuration, PostgresSourceSettings source, ChangeSource stream, ConnectionFactory connections,
            FailoverModule.InstanceName instance,
            Map<String, ChangeHandlerProvider> handlers, Map<String, SinkProvider> sinks, PipelineSettings pipelineSettings,
            PipelineListener listener, ServiceState state, SnapshotMetrics metrics) {
        SnapshotSections.Configured configured = configuration.snapshot();
        if (configured.mode() == SnapshotSettings.Mode.NEVER) {
            return new SnapshotPlan(SnapshotPhase.NONE, true);
        }
        boolean initial = configured.mode() == SnapshotSettings.Mode.INITIAL;
        AtomicReference<ChunkedSnapshotter> snapshotter = new AtomicReference<>();
        SnapshotPhase phase = new SnapshotPhase(() -> {
            if (initial) {
                SlotSource.of(stream).ifPresent(SlotSource::preparePublication); // the snapshot reads the publication's tables, and the identities apply before the slot exists
            }
            List<TableId> tables = initial ? PublishedTables.forInitial(connections, source.publicationName(), configured.tableIds())
                    : configured.tableIds();
            SnapshotSettings settings = configured.resolve(tables, instance.value(), source.database());
            ChunkedSnapshotter made = new ChunkedSnapshotter(settings, new PostgresChunkClaimStore(connections), new PgSnapshotExporter(connections, source.slotFailover()),
                    connections, new PgTableCatalog(), initial ? source.slotName() : null);
            snapshotter.set(made);
            String name = initial ? source.slotName() + "-snapshot" : settings.jobId(null);
            return new Pipeline(name, made,
                    PluginCatalog.select(handlers, configuration.app().handlerName(), "pgcdc.handler.name", "handler")
                            .create(configuration.handlerContext()),
                    PluginCatalog.select(sinks, configuration.app().sinkName(), "pgcdc.sink.name", "sink").create(configuration.sinkContext()),
                    pipelineSettings, listener);
        }, () -> status(snapshotter.get()), state, metrics);
        return new SnapshotPlan(phase, initial);
    }

    private static SnapshotStatus status(ChunkedSnapshotter snapshotter) {
        SnapshotProgress progress = snapshotter == null ? SnapshotProgress.NOT_STARTED : snapshotter.progress();
        return new SnapshotStatus(progress.inProgress(), progress.totalTables(), progress.doneTables(), progress.totalChunks(),
                progress.doneChunks(), progress.rows(), progress.emittedRows(), progress.rowsPerSecond(),
                progress.eta().map(eta -> OptionalLong.of(eta.toSeconds())).orElse(OptionalLong.empty()));
    }
}
