package dev.pgcdc.postgres;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.plugin.PluginContext;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.api.source.ChangeSourceProvider;
import java.util.List;

/**
 * The PostgreSQL pgoutput source as a provider: the sections {@code pgcdc.postgres},
 * {@code pgcdc.publication}, {@code pgcdc.slot} and {@code pgcdc.heartbeat} ({@link PostgresSections}),
 * read from the {@code pgcdc} root. Found by ServiceLoader. Stateless.
 */
public final class PostgresSourceProvider implements ChangeSourceProvider {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public List<Section> settings() {
        return PostgresSections.ALL;
    }

    @Override
    public void validate(PluginContext context, Problems problems) {
        problems.collect(() -> PostgresSourceSettings.from(context.config()));
    }

    /**
     * Named in {@code pg_stat_replication} after {@code context}'s instance id. Registers the source's
     * own gauges with the context's meters: {@code pgcdc.source.connected} (1 while the replication
     * connection is up) and {@code pgcdc.source.in.flight.events} (events handed out, not yet acknowledged).
     */
    @Override
    public ChangeSource create(PluginContext context) {
        PostgresSourceSettings settings = PostgresSourceSettings.from(context.config());
        PostgresSource source = context.instanceId() == null ? new PostgresSource(settings) : new PostgresSource(settings, context.instanceId());
        context.meters().gauge("pgcdc.source.connected", "1 while the replication connection is up, 0 before the start and while reconnecting",
                () -> source.isConnected() ? 1 : 0);
        context.meters().gauge("pgcdc.source.in.flight.events", "Events handed to the pipeline and not yet acknowledged", source::inFlight);
        return source;
    }
}
