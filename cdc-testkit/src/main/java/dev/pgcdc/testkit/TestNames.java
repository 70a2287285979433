package dev.pgcdc.testkit;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for what a test creates in the shared servers (tables, publications, slots, databases,
 * topics), unique across tests, test JVMs and runs: {@code unique("users")} gives something like
 * {@code users_k3x9q2a1}. Valid everywhere unquoted: lower case letters, digits and {@code _}, at most
 * 63 characters (PostgreSQL's identifier limit). Thread-safe.
 */
public final class TestNames {
    private static final int MAX_LENGTH = 63;
    private static final int SUFFIX_LENGTH = 8;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong COUNTER = new AtomicLong(RANDOM.nextInt(1 << 20));

    private TestNames() {
    }

    /** {@code prefix} made safe (lower case; other characters become {@code _}), then {@code _} and a unique suffix. */
    public static String unique(String prefix) {
        String safe = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (safe.isEmpty() || !Character.isLetter(safe.charAt(0))) {
            safe = "t" + safe;
        }
        safe = safe.substring(0, Math.min(safe.length(), MAX_LENGTH - SUFFIX_LENGTH - 1));
        return safe + "_" + suffix();
    }

    private static String suffix() {
        long value = (COUNTER.incrementAndGet() << 20) ^ RANDOM.nextInt(1 << 20);
        String text = Long.toString(value & Long.MAX_VALUE, 36);
        if (text.length() < SUFFIX_LENGTH) {
            text = "0".repeat(SUFFIX_LENGTH - text.length()) + text;
        }
        return text.substring(text.length() - SUFFIX_LENGTH);
    }
}
