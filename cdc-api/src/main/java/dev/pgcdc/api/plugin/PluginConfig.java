package dev.pgcdc.api.plugin;

import dev.pgcdc.api.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A plugin's configuration section as plain Java values (strings, numbers, booleans, lists and
 * nested maps), so a plugin needs no configuration library. Keys are relative to the section;
 * {@link #path} gives the full key for messages ({@code pgcdc.handler.json.tombstones}).
 * Immutable and thread-safe. Typed getters throw {@link ConfigurationException} naming the full key,
 * the bad value and what is allowed.
 */
public final class PluginConfig {

    private final String prefix;
    private final Map<String, Object> values;

    /**
     * @param prefix full path of the section, e.g. {@code pgcdc.kafka} (empty for the root)
     * @param values the section; nested sections as maps
     */
    public PluginConfig(String prefix, Map<String, ?> values) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static PluginConfig empty(String prefix) {
        return new PluginConfig(prefix, Map.of());
    }

    /** The full key of {@code key}. */
    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + '.' + key;
    }

    public String prefix() {
        return prefix;
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** The raw value, or null. */
    public Object get(String key) {
        return values.get(key);
    }

    public String getString(String key, String defaultValue) {
        Object value = values.get(key);
        return value == null ? defaultValue : value.toString();
    }

    /** A required string. */
    public String requireString(String key) {
        Object value = values.get(key);
        if (value == null || value.toString().isBlank()) {
            throw new ConfigurationException(path(key) + " is required");
        }
        return value.toString();
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value.toString().trim().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new ConfigurationException(path(key) + " = \"" + value + "\" is not a boolean; allowed: true, false");
        };
    }

    public long getLong(String key, long defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException(path(key) + " = \"" + value + "\" is not a whole number");
        }
    }

    public int getInt(String key, int defaultValue) {
        long value = getLong(key, defaultValue);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new ConfigurationException(path(key) + " = " + value + " is out of range for a 32-bit number");
        }
        return (int) value;
    }

    /** A duration: a number of milliseconds, or text such as {@code 10ms}, {@code 5s}, {@code 2 minutes}, {@code 1h}. */
    public Duration getDuration(String key, Duration defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        Duration parsed = Quantities.parseDuration(value.toString());
        if (parsed == null) {
            throw new ConfigurationException(path(key) + " = \"" + value + "\" is not a duration; use e.g. 500ms, 5s, 2m, 1h");
        }
        return parsed;
    }

    /** A size in bytes: a number, or text such as {@code 512k}, {@code 10 MiB}, {@code 1GB}. */
    public long getBytes(String key, long defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        Long parsed = Quantities.parseBytes(value.toString());
        if (parsed == null) {
            throw new ConfigurationException(path(key) + " = \"" + value + "\" is not a size; use e.g. 1048576, 512KiB, 10MiB");
        }
        return parsed;
    }

    /** A list of strings; a single string is a one-element list. */
    public List<String> getStringList(String key, List<String> defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof List<?> list) {
            List<String> strings = new ArrayList<>(list.size());
            for (Object element : list) {
                strings.add(String.valueOf(element));
            }
            return List.copyOf(strings);
        }
        return List.of(value.toString());
    }

    /** A nested section, empty when absent. */
    public PluginConfig section(String key) {
        Object value = values.get(key);
        if (value == null) {
            return empty(path(key));
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> nested = new LinkedHashMap<>();
            map.forEach((k, v) -> nested.put(String.valueOf(k), v));
            return new PluginConfig(path(key), nested);
        }
        throw new ConfigurationException(path(key) + " must be an object, was \"" + value + "\"");
    }

    @Override
    public String toString() {
        return "PluginConfig[" + prefix + "]";
    }
}
