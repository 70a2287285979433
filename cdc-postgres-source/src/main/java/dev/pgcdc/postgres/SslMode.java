package dev.pgcdc.postgres;

import java.util.Locale;

/** TLS to PostgreSQL, with pgjdbc's (and libpq's) {@code sslmode} meanings. */
public enum SslMode {
    DISABLE, ALLOW, PREFER, REQUIRE, VERIFY_CA, VERIFY_FULL;

    /** The configuration spelling, also pgjdbc's: {@code disable}, {@code verify-ca} and so on. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The mode spelled {@code text} ({@code verify-full}, {@code VERIFY_FULL}), or null when there is none. */
    public static SslMode fromConfigName(String text) {
        String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (SslMode mode : values()) {
            if (mode.name().equals(normalized)) {
                return mode;
            }
        }
        return null;
    }
}
