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
    private final Set<String> subjects = new LinkedHashSet<>();

    /** Adds a problem; it should start with the full key, then name the bad value and what is allowed. */
    public void add(String problem) {
        problems.add(problem);
        subjects.add(subject(problem));
    }

    /** Adds {@code key = <value as written, masked when secret> <text>}. */
    public void bad(String key, Object raw, String text) {
        add(key + " = " + Secrets.render(key, raw) + " " + text);
    }

    /**
     * The result of {@code reading} (a later check: a record's constructor, a module's whole
     * reading), or null after adding the problems it threw, less those about a key already
     * reported (a bad value read as its default must not be reported again by what checks the default).
     */
    public <T> T collect(Supplier<T> reading) {
        try {
            return reading.get();
        } catch (ConfigurationException e) {
            for (String problem : e.problems()) {
                if (!isRepeat(problem)) {
                    add(problem);
                }
            }
            return null;
        }
    }

    private boolean isRepeat(String problem) {
        String subject = subject(problem);
        return !problems.contains(problem) && subjects.stream().anyMatch(reported -> reported.equals(subject)
                || reported.startsWith(subject + "[") || reported.startsWith(subject + "."));
    }

    /** The key a problem is about: its text up to the first blank or colon. */
    private static String subject(String problem) {
        int end = problem.length();
        for (int i = 0; i < problem.length(); i++) {
            if (problem.charAt(i) == ' ' || problem.charAt(i) == ':') {
                end = i;
                break;
            }
        }
        return problem.substring(0, end);
    }

    int size() {
        return problems.size();
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
