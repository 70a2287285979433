package dev.pgcdc.kafka.config;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.plugin.KeySuggestions;
import dev.pgcdc.api.plugin.PluginConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads one configuration section for a settings factory ({@code from(PluginConfig)}) and collects
 * every problem instead of stopping at the first: a bad value falls back to the default and is
 * reported, each message naming the full key, the bad value and what is allowed. A key that no read
 * asked for is reported as unknown, with the closest known key as a suggestion.
 *
 * <p>Used by the settings classes of this module; not thread-safe, one reader per {@code from} call.
 */
public final class SettingsReader {

    private final PluginConfig config;
    private final List<String> problems;
    private final Set<String> known = new LinkedHashSet<>();
    private final List<SettingsReader> sections = new ArrayList<>();

    public SettingsReader(PluginConfig config) {
        this(config, new ArrayList<>());
    }

    private SettingsReader(PluginConfig config, List<String> problems) {
        this.config = config;
        this.problems = problems;
    }

    /** The full key of {@code key}, e.g. {@code pgcdc.kafka.linger}. */
    public String path(String key) {
        return config.path(key);
    }

    public boolean has(String key) {
        known.add(key);
        return config.has(key);
    }

    public String string(String key, String defaultValue) {
        known.add(key);
        return config.getString(key, defaultValue);
    }

    public boolean bool(String key, boolean defaultValue) {
        known.add(key);
        try {
            return config.getBoolean(key, defaultValue);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return defaultValue;
        }
    }

    public int integer(String key, int defaultValue) {
        known.add(key);
        try {
            return config.getInt(key, defaultValue);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return defaultValue;
        }
    }

    public long bytes(String key, long defaultValue) {
        known.add(key);
        try {
            return config.getBytes(key, defaultValue);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return defaultValue;
        }
    }

    public Duration duration(String key, Duration defaultValue) {
        known.add(key);
        try {
            return config.getDuration(key, defaultValue);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return defaultValue;
        }
    }

    /**
     * One of the constants of {@code type}, spelled as {@code configName} spells it (case-insensitive);
     * anything else is reported with the list of allowed spellings.
     */
    public <E extends Enum<E>> E choice(String key, E defaultValue, Class<E> type, Function<E, String> configName) {
        known.add(key);
        Object raw = config.get(key);
        if (raw == null) {
            return defaultValue;
        }
        String text = raw.toString().trim();
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = configName.apply(constant);
            if (name.equalsIgnoreCase(text)) {
                return constant;
            }
            allowed.add(name);
        }
        problems.add(path(key) + " = \"" + raw + "\" is not allowed; allowed: " + String.join(", ", allowed));
        return defaultValue;
    }

    /**
     * A nested object of plain values, flattened to dotted keys: {@code { max.request.size = 1 }} and
     * {@code { "max.request.size" = 1 }} both give {@code max.request.size -> "1"}. Empty when absent.
     */
    public Map<String, String> flatMap(String key) {
        known.add(key);
        Object raw = config.get(key);
        Map<String, String> flat = new LinkedHashMap<>();
        if (raw == null) {
            return flat;
        }
        if (!(raw instanceof Map<?, ?> map)) {
            problems.add(path(key) + " must be an object, was \"" + raw + "\"");
            return flat;
        }
        flatten("", map, flat, path(key));
        return flat;
    }

    private void flatten(String prefix, Map<?, ?> map, Map<String, String> into, String where) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = prefix.isEmpty() ? String.valueOf(entry.getKey()) : prefix + '.' + entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(name, nested, into, where);
            } else if (value instanceof List<?>) {
                problems.add(where + "." + name + " must be a single value, was a list " + value);
            } else if (value != null) {
                into.put(name, value.toString());
            }
        }
    }

    /** A reader of the nested section {@code key}; its problems and unknown keys are reported with this reader's. */
    public SettingsReader section(String key) {
        known.add(key);
        PluginConfig nested;
        try {
            nested = config.section(key);
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            nested = PluginConfig.empty(path(key));
        }
        SettingsReader reader = new SettingsReader(nested, problems);
        sections.add(reader);
        return reader;
    }

    /** Adds a problem found by the caller. */
    public void problem(String text) {
        problems.add(text);
    }

    /** Adds the problems of a validation that threw. */
    public void problems(ConfigurationException e) {
        problems.addAll(e.problems());
    }

    /** Every problem so far, plus one per key that no read asked for. */
    public List<String> problems() {
        List<String> all = new ArrayList<>(problems);
        addUnknownKeys(all);
        return all;
    }

    /** Throws one {@link ConfigurationException} with every problem, if there is any. */
    public void throwIfProblems() {
        List<String> all = problems();
        if (!all.isEmpty()) {
            throw new ConfigurationException(all);
        }
    }

    private void addUnknownKeys(List<String> into) {
        for (String key : config.keys()) {
            if (!known.contains(key)) {
                String suggestion = KeySuggestions.closest(key, known).orElse(null);
                into.add(path(key) + " is not a known setting"
                        + (suggestion == null ? "; known: " + String.join(", ", known) : "; did you mean " + path(suggestion) + "?"));
            }
        }
        for (SettingsReader section : sections) {
            section.addUnknownKeys(into);
        }
    }
}
