package dev.pgcdc.metrics.status;

import java.util.Locale;

/**
 * Where the service is in its life. {@link #STANDBY}, {@link #SNAPSHOT} and {@link #STREAMING} are
 * ready: a passive instance on standby does what it should (docs/operations.md, "Running several
 * instances (failover)").
 */
public enum Phase {
    /** Connecting and checking, before the first event. */
    STARTING,
    /** Passive: another instance streams from the slot; this one checks it and takes over when it is free. */
    STANDBY,
    /** Taking the initial snapshot. */
    SNAPSHOT,
    /** Streaming changes from the slot. */
    STREAMING,
    /** Draining in-flight records and closing after a stop request. */
    STOPPING,
    /** Stopped cleanly. */
    STOPPED,
    /** Stopped by an error. */
    FAILED;

    /** The lower-case name {@code /status} writes. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the service does its work in this phase (what {@code /health/ready} reports). */
    public boolean isReady() {
        return this == STANDBY || this == SNAPSHOT || this == STREAMING;
    }
}
