package dev.pgcdc.app.slot;

import dev.pgcdc.api.source.SlotSource;
import dev.pgcdc.app.lifecycle.SlotGate;
import dev.pgcdc.coordination.failover.FailoverController;
import dev.pgcdc.coordination.failover.JdbcSlotLiveness;
import dev.pgcdc.coordination.failover.SlotHolder;
import dev.pgcdc.metrics.failover.FailoverMetrics;
import dev.pgcdc.metrics.status.ActiveInstance;
import dev.pgcdc.metrics.status.Role;
import dev.pgcdc.metrics.status.ServiceState;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link SlotGate} of the service: a {@link FailoverController} that watches the slot through
 * {@link JdbcSlotLiveness} every {@code slot.activity-check-interval} and takes it by starting the
 * source ({@link SlotSource#tryClaimSlot()}), so the source holds the slot before the
 * pipeline starts the sink. The role goes to the {@link ServiceState} ({@code /status}) and the
 * {@link FailoverMetrics}. Once the slot is held the liveness connection is closed: the active
 * instance does not watch the slot, its stream is the proof.
 *
 * <p>Threading: as {@link SlotGate}.
 */
public final class FailoverSlotGate implements SlotGate {

    private final SlotSource source;
    private final JdbcSlotLiveness liveness;
    private final ServiceState state;
    private final FailoverMetrics metrics;
    private final FailoverController controller;

    public FailoverSlotGate(SlotSource source, JdbcSlotLiveness liveness, Duration interval, String instanceId, ServiceState state,
            FailoverMetrics metrics) {
        this.source = Objects.requireNonNull(source, "source");
        this.liveness = Objects.requireNonNull(liveness, "liveness");
        this.state = Objects.requireNonNull(state, "state");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        state.instanceId(instanceId);
        this.controller = new FailoverController(source.slotName(), instanceId, liveness, interval, source::tryClaimSlot,
                new FailoverController.RoleListener() {
                    @Override
                    public void passive(SlotHolder holder) {
                        state.passive(new ActiveInstance(holder.pid(), holder.applicationName(), holder.clientAddress()));
                    }

                    @Override
                    public void active(Optional<Duration> takeover) {
                        state.active();
                        metrics.becameActive(takeover);
                    }
                });
    }

    @Override
    public boolean awaitSlot() throws InterruptedException {
        state.role(Role.PASSIVE); // until the slot is held
        try {
            return controller.awaitSlot();
        } finally {
            liveness.close();
        }
    }

    @Override
    public void cancel() {
        controller.cancel();
    }

    @Override
    public void release() {
        source.close();
        released();
    }

    @Override
    public void released() {
        metrics.becamePassive();
        state.role(Role.PASSIVE);
    }
}
