package dev.pgcdc.api.config;

import dev.pgcdc.api.plugin.PluginConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The declared settings of one configuration section ({@code pgcdc.kafka}, {@code pgcdc.http}) and
 * their reading: {@link #read} checks every key of the section and every value against its
 * declaration and reports every problem, each naming the full key: an unknown key (with the closest
 * known one, or pgcdc's key for a Debezium connector property, {@link DebeziumProperties}), a value of the wrong type (a list or object where text belongs included), a value out
 * of range or not among the allowed ones, a missing required value, a file that cannot be read.
 * A bad value is reported and read as its default, so checking goes on. Immutable and thread-safe.
 */
public final class Section {

    private final String path;
    private final Map<String, Setting<?>> settings = new LinkedHashMap<>();

    private Section(String path, List<Setting<?>> settings) {
        this.path = path;
        for (Setting<?> setting : settings) {
            if (this.settings.put(setting.key(), setting) != null) {
                throw new IllegalArgumentException(path + "." + setting.key() + " is declared twice");
            }
        }
    }

    /** The section at {@code path} (its usual full path, for documentation and defaults) with {@code settings}. */
    public static Section of(String path, Setting<?>... settings) {
        return new Section(path, Arrays.asList(settings));
    }

    /** This section with more settings (a host adding the sections of the plugins it found). */
    public Section with(List<? extends Setting<?>> more) {
        List<Setting<?>> all = new ArrayList<>(settings.values());
        all.addAll(more);
        return new Section(path, all);
    }

    /** The usual full path, e.g. {@code pgcdc.kafka}; a host may read the section from another. */
    public String path() {
        return path;
    }

    /** The declarations, in declaration order. */
    public List<Setting<?>> settings() {
        return List.copyOf(settings.values());
    }

    /**
     * Only checks the keys of {@code config}: each unknown one is a problem with pgcdc's key for it when
     * it is a Debezium property, or else the closest known key, or else the one {@code elsewhere} finds for its name in another section (a key put in the
     * wrong section), or else the known keys. For a root whose sections are read by their owners.
     */
    public void checkKeys(PluginConfig config, Problems problems, Function<String, Optional<String>> elsewhere) {
        checkKeys(config, config.asMap(), "", problems, elsewhere);
    }

    /** Reads {@code config} (its prefix is the full path in messages), adding every problem to {@code problems}. */
    public Values read(PluginConfig config, Problems problems) {
        checkKeys(config, config.asMap(), "", problems, name -> Optional.empty());
        Map<Setting<?>, Object> values = new HashMap<>();
        Map<Setting<?>, Boolean> given = new HashMap<>();
        for (Setting<?> setting : settings.values()) {
            Object raw = find(config.asMap(), setting.key());
            given.put(setting, raw != null);
            values.put(setting, read(setting, config.path(setting.key()), raw, problems));
        }
        return new Values(config, values, given, problems);
    }

    /**
     * Checks values built in code (a record's constructor) against their declarations in this
     * section, under its usual path: {@code settingsAndValues} alternates a setting and its value.
     */
    public void check(Problems problems, Object... settingsAndValues) {
        for (int i = 0; i < settingsAndValues.length; i += 2) {
            Setting<?> setting = (Setting<?>) settingsAndValues[i];
            if (settings.get(setting.key()) != setting) {
                throw new IllegalArgumentException(setting + " is not declared in " + this);
            }
            checkOne(problems, setting, settingsAndValues[i + 1]);
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void checkOne(Problems problems, Setting<T> setting, Object value) {
        setting.check(path + "." + setting.key(), (T) value, problems);
    }

    /** Reads {@code config} with problems of its own: {@link Values#problems()}. */
    public Values read(PluginConfig config) {
        return read(config, new Problems());
    }

    /**
     * The typed value, or the default when unset; a bad value is reported and read as the default,
     * or kept when there is none, so that a check of the record made from it reports the same text.
     */
    private static <T> T read(Setting<T> setting, String fullKey, Object raw, Problems problems) {
        int before = problems.size();
        T value = raw == null ? null : setting.type().parse(fullKey, raw, problems);
        if (raw != null && value == null) {
            if (problems.size() == before && setting.isRequired()) {
                problems.add(fullKey + " is required (it is blank)"); // blank text counts as unset
            }
            return setting.defaultValue();
        }
        if (value == null) {
            value = setting.defaultValue();
        }
        boolean passed = setting.check(fullKey, value, problems);
        return passed || setting.defaultValue() == null ? value : setting.defaultValue();
    }

    /** The value at the dotted {@code key}: a key written with dots itself, or nested objects. */
    private static Object find(Map<String, Object> map, String key) {
        if (map.containsKey(key)) {
            return map.get(key);
        }
        int dot = key.indexOf('.');
        while (dot > 0) {
            if (map.get(key.substring(0, dot)) instanceof Map<?, ?> nested) {
                Map<String, Object> strings = new LinkedHashMap<>();
                nested.forEach((k, v) -> strings.put(String.valueOf(k), v));
                Object found = find(strings, key.substring(dot + 1));
                if (found != null) {
                    return found;
                }
            }
            dot = key.indexOf('.', dot + 1);
        }
        return null;
    }

    private void checkKeys(PluginConfig config, Map<?, ?> actual, String prefix, Problems problems,
                           Function<String, Optional<String>> elsewhere) {
        for (Object name : new TreeSet<>(actual.keySet().stream().map(String::valueOf).toList())) {
            String key = prefix.isEmpty() ? (String) name : prefix + "." + name;
            Object value = actual.get(name);
            if (settings.containsKey(key) || value == null) {
                continue;
            }
            boolean isObject = settings.keySet().stream().anyMatch(known -> known.startsWith(key + "."));
            if (isObject && value instanceof Map<?, ?> nested) {
                checkKeys(config, nested, key, problems, elsewhere);
            } else if (isObject) {
                problems.bad(config.path(key), value, "is not an object; allowed: { key = value, ... }");
            } else {
                List<String> debezium = DebeziumProperties.problems(config.path(key), value, config::origin);
                if (debezium.isEmpty()) {
                    problems.add(unknown(config, prefix, key, value, elsewhere));
                } else {
                    debezium.forEach(problems::add);
                }
            }
        }
    }

    private String unknown(PluginConfig config, String prefix, String key, Object value, Function<String, Optional<String>> elsewhere) {
        String fullKey = config.path(key);
        String origin = config.origin(fullKey);
        StringBuilder problem = new StringBuilder(fullKey).append(" = ").append(shortened(Secrets.render(fullKey, value)));
        if (origin != null) {
            problem.append(" (").append(origin).append(')');
        }
        problem.append(" is not a known key");
        TreeSet<String> siblings = new TreeSet<>();
        for (String known : settings.keySet()) {
            if (prefix.isEmpty() || known.startsWith(prefix + ".")) {
                String rest = prefix.isEmpty() ? known : known.substring(prefix.length() + 1);
                siblings.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
            }
        }
        String name = prefix.isEmpty() ? key : key.substring(prefix.length() + 1);
        Optional<String> suggestion = Suggestions.closest(name, siblings);
        Optional<String> other = suggestion.isPresent() ? Optional.empty() : elsewhere.apply(name);
        if (suggestion.isPresent()) {
            String base = config.path(prefix);
            problem.append("; did you mean ").append(prefix.isEmpty() ? config.path(suggestion.get()) : base + "." + suggestion.get())
                    .append('?');
        } else if (other.isPresent()) {
            problem.append("; did you mean ").append(other.get()).append('?');
        } else {
            problem.append("; known keys here: ").append(String.join(", ", siblings));
        }
        return problem.toString();
    }

    /** One line, cut after the masking (a cut must not end inside a mask and show the rest). */
    static String shortened(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    @Override
    public String toString() {
        return "Section[" + path + "]";
    }
}
