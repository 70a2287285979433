package dev.pgcdc.api.config;

import dev.pgcdc.api.ConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The problems found while reading and checking settings, collected so that every one is reported
 * at once; the same text twice is kept once. Not thread-safe: one per reading.
 */
public final class Problems {

    private final Set<String> problems = new LinkedHashSet<>();

    /** Adds a problem; it should name the full key, the bad value and what is allowed. */
    public void add(String problem) {
        problems.add(problem);
    }

    /** Adds {@code key = <value as written, masked when secret> <text>}. */
    public void bad(String key, Object raw, String text) {
        add(key + " = " + Secrets.render(key, raw) + " " + text);
    }

    /** Adds every problem of {@code e}. */
    public void addAll(ConfigurationException e) {
        e.problems().forEach(this::add);
    }

    /** The result of {@code reading}, or null after adding the problems it threw. */
    public <T> T collect(Supplier<T> reading) {
        try {
            return reading.get();
        } catch (ConfigurationException e) {
            addAll(e);
            return null;
        }
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** Every problem so far, in the order found. */
    public List<String> list() {
        return List.copyOf(new ArrayList<>(problems));
    }

    /** Throws one {@link ConfigurationException} with every problem, if there is any. */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new ConfigurationException(list());
        }
    }
}
