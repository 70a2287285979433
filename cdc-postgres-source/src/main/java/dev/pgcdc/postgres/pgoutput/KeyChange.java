package dev.pgcdc.postgres.pgoutput;

import java.util.Locale;

/**
 * What an update that changes a row's key becomes ({@code postgres.key-change}). Keyed records of
 * a compacted topic need the old key removed, so the default splits such an update in two, as
 * Debezium does.
 */
public enum KeyChange {
    /** A DELETE of the old key (before image as the update carried it), then an INSERT of the new row: two positions. */
    DELETE_CREATE,
    /** One UPDATE keyed by the new key, with the old key in its before image. */
    UPDATE;

    /** The configuration spelling: {@code delete-create}, {@code update}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode spelled {@code text} ({@code delete-create}, {@code DELETE_CREATE}), or null when there is none. */
    public static KeyChange fromConfigName(String text) {
        String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (KeyChange mode : values()) {
            if (mode.name().equals(normalized)) {
                return mode;
            }
        }
        return null;
    }
}
