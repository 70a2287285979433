package dev.pgcdc.api;

import java.util.List;

/**
 * Invalid settings, reported all at once: each problem names the full key, the bad value and what
 * is allowed. Thrown by settings factories and builders before anything connects.
 */
public class ConfigurationException extends CdcException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // List.copyOf gives a serializable list
    private final List<String> problems;

    public ConfigurationException(List<String> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    public ConfigurationException(String problem) {
        this(List.of(problem));
    }

    /** Every problem found, one line each. */
    public List<String> problems() {
        return problems;
    }

    private static String render(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0);
        }
        StringBuilder text = new StringBuilder("invalid configuration (").append(problems.size()).append(" problems):");
        for (String problem : problems) {
            text.append("\n  - ").append(problem);
        }
        return text.toString();
    }
}
