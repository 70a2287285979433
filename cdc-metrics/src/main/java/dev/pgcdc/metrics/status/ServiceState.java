package dev.pgcdc.metrics.status;

import java.util.Objects;
import java.util.Optional;

/**
 * The service's current role and phase, this instance's name, the snapshot's progress, the instance streaming from the slot
 * while this one is passive, and, once it failed, why. Written by the lifecycle owner,
 * read by the HTTP threads; fields are volatile and each is written whole, so readers see a
 * consistent value of each field (not necessarily of all at once, which the endpoints do not need).
 */
public final class ServiceState {

    private volatile Role role = Role.ACTIVE;
    private volatile Phase phase = Phase.STARTING;
    private volatile String failure;
    private volatile String instanceId;
    private volatile ActiveInstance activeInstance;
    private volatile SnapshotStatus snapshot;

    /** This instance's name in its failover group, if named. */
    public Optional<String> instanceId() {
        return Optional.ofNullable(instanceId);
    }

    public void instanceId(String value) {
        instanceId = Objects.requireNonNull(value, "instanceId");
    }

    /** While passive: the walsender streaming from the slot, as last seen; empty when active or not known. */
    public Optional<ActiveInstance> activeInstance() {
        return Optional.ofNullable(activeInstance);
    }

    /** This instance is passive and {@code holder} streams from the slot. */
    public void passive(ActiveInstance holder) {
        activeInstance = Objects.requireNonNull(holder, "holder");
        role = Role.PASSIVE;
        phase = Phase.STANDBY;
    }

    /** This instance streams from the slot (its phase is set by whoever starts the stream). */
    public void active() {
        activeInstance = null;
        role = Role.ACTIVE;
    }

    public Role role() {
        return role;
    }

    public Phase phase() {
        return phase;
    }

    /** The snapshot's last reported progress; empty when this service takes no snapshot. */
    public Optional<SnapshotStatus> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    public void snapshot(SnapshotStatus value) {
        snapshot = Objects.requireNonNull(value, "snapshot");
    }

    /** The one-line reason the service failed, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    public void role(Role value) {
        role = Objects.requireNonNull(value, "role");
    }

    public void phase(Phase value) {
        phase = Objects.requireNonNull(value, "phase");
    }

    /** Enters {@link Phase#FAILED} with {@code reason}. */
    public void failed(String reason) {
        failure = Objects.requireNonNull(reason, "reason");
        phase = Phase.FAILED;
    }
}
