package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.pipeline.PipelineListener;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.runtime.Pipeline;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.api.snapshot.ChunkLedger;
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
import dev.pgcdc.postgres.TableSettings;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.snapshot.ChunkStrategy;
import dev.pgcdc.snapshot.ChunkedSnapshotter;
import dev.pgcdc.snapshot.PublishedTables;
import dev.pgcdc.snapshot.SnapshotProgress;
import dev.pgcdc.snapshot.SnapshotSections;
import dev.pgcdc.snapshot.SnapshotSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The initial snapshot ({@code pgcdc.snapshot.mode} {@code initial} or {@code snapshot_only}): a
 * {@link ChunkedSnapshotter} over the coordination tables of cdc-coordination, run by the service's
 * {@link SnapshotPhase} in a pipeline of its own, with its own handler and sink made by the same
 * providers as the stream's. In exactly-once mode that sink writes under the instance's own transactional id and
 * commits whole chunks with their records ({@link ChunkLedger}). Nothing connects while wiring: the snapshotter and its tables are made
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
            SnapshotSettings settings = configured.resolve(tables, instance.value(), source.database()).withStrategies(strategies(source));
            ChunkedSnapshotter made = new ChunkedSnapshotter(settings, new PostgresChunkClaimStore(connections), new PgSnapshotExporter(connections, source.slotFailover()),
                    connections, new PgTableCatalog(source.publicationName()), initial ? source.slotName() : null);
            snapshotter.set(made);
            String name = initial ? source.slotName() + "-snapshot" : settings.jobId(null);
            SinkProvider sinkProvider = PluginCatalog.select(sinks, configuration.app().sinkName(), "pgcdc.sink.name", "sink");
            Sink sink = sinkProvider.create(configuration.sinkContext());
            commitChunksExactlyOnce(made, sink, sinkProvider, configuration);
            return new Pipeline(name, made,
                    PluginCatalog.select(handlers, configuration.app().handlerName(), "pgcdc.handler.name", "handler")
                            .create(configuration.handlerContext()),
                    sink, pipelineSettings, listener);
        }, () -> status(snapshotter.get()), state, metrics);
        return new SnapshotPlan(phase, initial);
    }

    /** The chunk strategies of {@code publication.tables} that are not auto. */
    static Map<TableId, ChunkStrategy> strategies(PostgresSourceSettings source) {
        Map<TableId, ChunkStrategy> strategies = new HashMap<>();
        for (TableSettings table : source.tables()) {
            ChunkStrategy strategy = ChunkStrategy.parse(table.snapshotStrategy());
            if (strategy != ChunkStrategy.AUTO) {
                strategies.put(table.table(), strategy);
            }
        }
        return strategies;
    }

    /**
     * Exactly-once: the sink commits each chunk's rows with its record and fences a chunk's previous owner
     * ({@link ChunkLedger}); a sink that commits exactly once without being a ledger cannot keep the
     * snapshot's promise, so the start is refused.
     */
    private static void commitChunksExactlyOnce(ChunkedSnapshotter snapshotter, Sink sink, SinkProvider provider,
            ServiceConfiguration configuration) {
        if (sink instanceof ChunkLedger ledger) {
            snapshotter.commitThrough(ledger);
            return;
        }
        provider.exactlyOnceSetting(configuration.sinkContext().config()).ifPresent(setting -> {
            sink.close();
            throw new ConfigurationException("pgcdc.snapshot.mode = " + configuration.snapshot().mode().name().toLowerCase(java.util.Locale.ROOT)
                    + " with " + setting + ": the sink " + provider.name() + " cannot commit a chunk's rows together with its completion"
                    + " (it is no " + ChunkLedger.class.getSimpleName() + "), so a takeover could show rows twice; take the snapshot with"
                    + " exactly-once off, then turn it on");
        });
    }

    private static SnapshotStatus status(ChunkedSnapshotter snapshotter) {
        SnapshotProgress progress = snapshotter == null ? SnapshotProgress.NOT_STARTED : snapshotter.progress();
        return new SnapshotStatus(progress.inProgress(), progress.totalTables(), progress.doneTables(), progress.totalChunks(),
                progress.doneChunks(), progress.rows(), progress.emittedRows(), progress.rowsPerSecond(),
                progress.eta().map(eta -> OptionalLong.of(eta.toSeconds())).orElse(OptionalLong.empty()));
    }
}
