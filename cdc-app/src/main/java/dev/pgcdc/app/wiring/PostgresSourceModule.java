package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.source.DatabaseConnections;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.slot.JdbcSlotStatistics;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import java.time.Clock;
import java.time.Duration;

/**
 * The PostgreSQL side besides the source itself (which {@link SourceModule} makes through its provider):
 * the source's settings, its connection factory for every other JDBC use, the slot statistics read
 * over JDBC, and the metric labels they define.
 */
public final class PostgresSourceModule extends AbstractModule {

    /** Bound of each slot-statistics query. */
    private static final Duration STATISTICS_TIMEOUT = Duration.ofSeconds(5);

    @Provides
    @Singleton
    PostgresSourceSettings settings(ServiceConfiguration configuration) {
        return configuration.postgres();
    }

    /**
     * The one factory of plain connections to the captured database (slot statistics, failover
     * liveness, snapshot reads and coordination): the source's own, so every JDBC use shares its URL,
     * credentials and TLS settings.
     */
    @Provides
    @Singleton
    ConnectionFactory connectionFactory(PostgresSourceSettings settings) {
        return settings.connections(); // every host of postgres.hosts, the primary among them
    }

    @Provides
    @Singleton
    DatabaseConnections databaseConnections(ConnectionFactory factory) {
        return factory;
    }

    @Provides
    @Singleton
    SlotStatistics slotStatistics(DatabaseConnections connections, PostgresSourceSettings settings) {
        return new JdbcSlotStatistics(connections, settings.slotName(), STATISTICS_TIMEOUT, Clock.systemUTC());
    }

    @Provides
    @Singleton
    MetricLabels labels(PostgresSourceSettings settings) {
        return new MetricLabels(settings.slotName(), settings.host());
    }
}
