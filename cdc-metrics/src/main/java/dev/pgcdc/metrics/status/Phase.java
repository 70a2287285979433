package dev.pgcdc.metrics.status;

import java.util.Locale;

/** Where the service is in its life. Only {@link #SNAPSHOT} and {@link #STREAMING} are ready. */
public enum Phase {
    /** Connecting and checking, before the first event. */
    STARTING,
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
        return this == SNAPSHOT || this == STREAMING;
    }
}
