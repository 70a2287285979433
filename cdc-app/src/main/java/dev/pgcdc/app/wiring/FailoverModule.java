package dev.pgcdc.app.wiring;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.pgcdc.api.source.ChangeSource;
import dev.pgcdc.api.source.SlotSource;
import dev.pgcdc.app.config.ServiceConfiguration;
import dev.pgcdc.app.lifecycle.SlotGate;
import dev.pgcdc.app.slot.FailoverSlotGate;
import dev.pgcdc.coordination.failover.JdbcSlotLiveness;
import dev.pgcdc.metrics.ServiceMeters;
import dev.pgcdc.metrics.failover.FailoverMetrics;
import dev.pgcdc.metrics.status.ServiceState;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import java.time.Duration;

/**
 * Active/passive failover: the instance's name, the slot liveness check and the gate the service
 * waits at until this instance holds the slot, and the failover meters. The gate takes the slot
 * through the source's {@link SlotSource} capability; a source without one gets a gate that is open
 * at once.
 */
public final class FailoverModule extends AbstractModule {

    /** Bound of each liveness query. */
    private static final Duration LIVENESS_QUERY_TIMEOUT = Duration.ofSeconds(5);

    @Provides
    @Singleton
    InstanceName instanceName(ServiceConfiguration configuration) {
        return new InstanceName(configuration.context().instanceId());
    }

    @Provides
    @Singleton
    FailoverMetrics failoverMetrics(ServiceMeters meters, ServiceState state) {
        return new FailoverMetrics(meters.registry(), state);
    }

    @Provides
    @Singleton
    SlotGate slotGate(ChangeSource source, PostgresSourceSettings settings, ConnectionFactory connections, InstanceName name, ServiceState state,
            FailoverMetrics metrics) {
        return SlotSource.of(source)
                .<SlotGate>map(slotSource -> new FailoverSlotGate(slotSource, new JdbcSlotLiveness(connections, LIVENESS_QUERY_TIMEOUT),
                        settings.slotActivityCheckInterval(), name.value(), state, metrics))
                .orElseGet(() -> new OpenGate(state));
    }

    /** The gate of a source without a slot to share: open at once, this instance is always active. */
    private static final class OpenGate implements SlotGate {

        private final ServiceState state;

        OpenGate(ServiceState state) {
            this.state = state;
        }

        @Override
        public boolean awaitSlot() {
            state.active();
            return true;
        }

        @Override
        public void cancel() {
        }

        @Override
        public void release() {
        }

        @Override
        public void released() {
        }
    }

    /** This instance's name in its failover group. */
    record InstanceName(String value) {
    }
}
