package dev.pgcdc.metrics.status;

import java.util.Locale;

/** Whether this instance streams from the slot (active) or waits to take over (passive). */
public enum Role {
    ACTIVE,
    PASSIVE;

    /** {@code active} or {@code passive}, as {@code /status} writes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
