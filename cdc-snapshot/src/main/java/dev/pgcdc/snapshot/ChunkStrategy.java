package dev.pgcdc.snapshot;

import java.util.Locale;

/** How a table is cut into chunks; {@link #AUTO} picks one from the table's key. */
public enum ChunkStrategy {
    /** {@link #INTEGER_RANGE} for a single integer key whose values are dense enough, {@link #KEYSET} for any other key, {@link #CTID} without a key. */
    AUTO,
    /** Equal-width ranges between the minimum and the maximum of a single {@code int2}/{@code int4}/{@code int8} key. */
    INTEGER_RANGE,
    /** Ranges of any key (composite, text), boundaries every chunk-size rows, found in one ordered pass over the key. */
    KEYSET,
    /** Ranges of heap blocks ({@code ctid}), for tables without a key. */
    CTID;

    /** {@code auto}, {@code integer-range}, {@code keyset} or {@code ctid} (case and {@code _}/{@code -} ignored). */
    public static ChunkStrategy parse(String text) {
        String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (ChunkStrategy strategy : values()) {
            if (strategy.name().equals(normalized)) {
                return strategy;
            }
        }
        throw new IllegalArgumentException("unknown snapshot strategy \"" + text + "\"; use auto, integer-range, keyset or ctid");
    }

    /** The configuration spelling, e.g. {@code integer-range}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
