package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.slot.JdbcSlotStatistics;
import dev.pgcdc.metrics.MetricLabels;
import dev.pgcdc.metrics.slot.SlotStatistics;
import dev.pgcdc.postgres.PostgresSource;
import dev.pgcdc.postgres.PostgresSourceSettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/** The PostgreSQL side: the replication source, the slot statistics read over JDBC, and the metric labels they define. */
public final class PostgresSourceModule extends AbstractModule {

    /** Bound of connecting and of each slot-statistics query. */
    private static final Duration STATISTICS_TIMEOUT = Duration.ofSeconds(5);

    @Provides
    @Singleton
    PostgresSourceSettings settings(ServiceConfiguration configuration) {
        return configuration.postgres();
    }

    /** Named in {@code pg_stat_replication} after the instance, so passive instances see who streams. */
    @Provides
    @Singleton
    PostgresSource postgresSource(PostgresSourceSettings settings, FailoverModule.InstanceName instance) {
        return new PostgresSource(settings, instance.value());
    }

    @Provides
    @Singleton
    ChangeSource source(PostgresSource source) {
        return source;
    }

    @Provides
    @Singleton
    SlotStatistics slotStatistics(PostgresSourceSettings settings) {
        Properties properties = new Properties();
        properties.setProperty("user", settings.user());
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("sslmode", settings.sslMode().configName());
        if (settings.sslRootCert() != null) {
            properties.setProperty("sslrootcert", settings.sslRootCert());
        }
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        String url = "jdbc:postgresql://" + host + ":" + settings.port() + "/"
                + URLEncoder.encode(settings.database(), StandardCharsets.UTF_8);
        return new JdbcSlotStatistics(url, properties, settings.slotName(), STATISTICS_TIMEOUT, Clock.systemUTC());
    }

    @Provides
    @Singleton
    MetricLabels labels(PostgresSourceSettings settings) {
        return new MetricLabels(settings.slotName(), settings.host());
    }
}
