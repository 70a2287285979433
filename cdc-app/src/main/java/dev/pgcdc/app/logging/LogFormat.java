package dev.pgcdc.app.logging;

/** How log events are written to standard output. */
public enum LogFormat {
    /** One human-readable line per event. */
    TEXT,
    /** One JSON object per line (Logback's {@code JsonEncoder}), for log shippers. */
    JSON
}
