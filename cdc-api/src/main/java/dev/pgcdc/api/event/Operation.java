package dev.pgcdc.api.event;

/** What a {@link ChangeEvent} reports. The one-letter codes are those of the JSON envelope (Debezium's). */
public enum Operation {
    /** A row was inserted. */
    INSERT("c"),
    /** A row was updated. */
    UPDATE("u"),
    /** A row was deleted. */
    DELETE("d"),
    /** A table was truncated. */
    TRUNCATE("t"),
    /** A row read by the initial snapshot. */
    READ("r"),
    /** A logical decoding message ({@code pg_logical_emit_message}). */
    MESSAGE("m");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    /** {@code c}, {@code u}, {@code d}, {@code t}, {@code r} or {@code m}. */
    public String code() {
        return code;
    }
}
