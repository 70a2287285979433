package dev.pgcdc.metrics.status;

import java.util.Objects;
import java.util.Optional;

/**
 * The service's current role and phase and, once it failed, why. Written by the lifecycle owner,
 * read by the HTTP threads; fields are volatile and each is written whole, so readers see a
 * consistent value of each field (not necessarily of all at once, which the endpoints do not need).
 */
public final class ServiceState {

    private volatile Role role = Role.ACTIVE;
    private volatile Phase phase = Phase.STARTING;
    private volatile String failure;

    public Role role() {
        return role;
    }

    public Phase phase() {
        return phase;
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
