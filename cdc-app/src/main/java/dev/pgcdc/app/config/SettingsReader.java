package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads typed values from the merged configuration and collects a problem per bad value instead of
 * stopping at the first: each names the full key, the value (masked for secrets) and what is
 * allowed. A getter returns its fallback after recording a problem, so reading goes on.
 */
final class SettingsReader {

    private final Config config;
    private final List<String> problems = new ArrayList<>();

    SettingsReader(Config config) {
        this.config = config;
    }

    List<String> problems() {
        return problems;
    }

    void problem(String text) {
        problems.add(text);
    }

    /** A required, non-blank string. */
    String string(String path) {
        if (!config.hasPath(path)) {
            problems.add(path + " is required" + (config.hasPathOrNull(path) ? " (it is null)" : ""));
            return null;
        }
        try {
            String value = config.getString(path);
            if (value.isBlank()) {
                problems.add(path + " is required (it is blank)");
                return null;
            }
            return value;
        } catch (ConfigException.WrongType e) {
            problems.add(path + " = " + shown(path) + " is not a string");
            return null;
        }
    }

    Optional<String> optionalString(String path) {
        if (!config.hasPath(path)) {
            return Optional.empty();
        }
        try {
            String value = config.getString(path);
            return value.isBlank() ? Optional.empty() : Optional.of(value);
        } catch (ConfigException.WrongType e) {
            problems.add(path + " = " + shown(path) + " is not a string");
            return Optional.empty();
        }
    }

    /** true or false (HOCON also reads yes/no, on/off). */
    boolean bool(String path, boolean fallback) {
        if (!config.hasPath(path)) {
            return fallback;
        }
        try {
            return config.getBoolean(path);
        } catch (ConfigException.WrongType e) {
            problems.add(path + " = " + shown(path) + " is not a boolean; allowed: true, false");
            return fallback;
        }
    }

    /** A whole number in {@code [min, max]}. */
    int integer(String path, int min, int max, int fallback) {
        if (!config.hasPath(path)) {
            problems.add(path + " is required; allowed: a whole number from " + min + " to " + max);
            return fallback;
        }
        try {
            long value = config.getLong(path);
            if (value < min || value > max) {
                problems.add(path + " = " + value + " is out of range; allowed: " + min + " to " + max);
                return fallback;
            }
            return (int) value;
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            problems.add(path + " = " + shown(path) + " is not a whole number; allowed: " + min + " to " + max);
            return fallback;
        }
    }

    /** A size in bytes ({@code 64MiB}, {@code 1048576}), at least {@code min}. */
    long bytes(String path, long min, long fallback) {
        if (!config.hasPath(path)) {
            problems.add(path + " is required; allowed: a size such as 1048576, 512KiB or 64MiB");
            return fallback;
        }
        try {
            long value = config.getBytes(path);
            if (value < min) {
                problems.add(path + " = " + shown(path) + " is too small; allowed: at least " + min + " bytes");
                return fallback;
            }
            return value;
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            problems.add(path + " = " + shown(path) + " is not a size; allowed: a size such as 1048576, 512KiB or 64MiB");
            return fallback;
        }
    }

    /** A duration ({@code 500ms}, {@code 30s}, {@code 2m}), positive unless {@code zeroAllowed}. */
    Duration duration(String path, boolean zeroAllowed, Duration fallback) {
        if (!config.hasPath(path)) {
            problems.add(path + " is required; allowed: a duration such as 500ms, 30s or 2m");
            return fallback;
        }
        try {
            Duration value = config.getDuration(path);
            if (value.isNegative() || value.isZero() && !zeroAllowed) {
                problems.add(path + " = " + shown(path) + " must be " + (zeroAllowed ? "zero or more" : "more than zero"));
                return fallback;
            }
            return value;
        } catch (ConfigException.WrongType | ConfigException.BadValue e) {
            problems.add(path + " = " + shown(path) + " is not a duration; allowed: a duration such as 500ms, 30s or 2m");
            return fallback;
        }
    }

    /** One of the keys of {@code allowed} (compared as written), or {@code fallback} after a problem. */
    <T> T choice(String path, Map<String, T> allowed, T fallback) {
        String value = string(path);
        if (value == null) {
            return fallback;
        }
        T chosen = allowed.get(value);
        if (chosen == null) {
            String problem = path + " = \"" + Secrets.show(path, value) + "\" is not allowed; allowed: " + String.join(", ", allowed.keySet());
            problems.add(Suggestions.closest(value, allowed.keySet()).map(s -> problem + " (did you mean " + s + "?)").orElse(problem));
            return fallback;
        }
        return chosen;
    }

    /** The leaves of the object at {@code path} as strings, keyed by their path inside it ({@code org.apache.kafka}). */
    Map<String, String> stringMap(String path) {
        Map<String, String> map = new LinkedHashMap<>();
        if (!config.hasPath(path)) {
            return map;
        }
        try {
            Config section = config.getConfig(path);
            for (Map.Entry<String, ConfigValue> entry : section.entrySet()) {
                String key = String.join(".", ConfigUtil.splitPath(entry.getKey()));
                map.put(key, String.valueOf(entry.getValue().unwrapped()));
            }
        } catch (ConfigException.WrongType e) {
            problems.add(path + " = " + shown(path) + " is not an object; allowed: { key = value, ... }");
        }
        return map;
    }

    /** The value at {@code path} as written (rendered as HOCON), masked when secret. */
    String shown(String path) {
        if (!config.hasPathOrNull(path)) {
            return "(missing)";
        }
        if (config.getIsNull(path)) {
            return "null";
        }
        return Secrets.render(path, config.getValue(path));
    }
}
