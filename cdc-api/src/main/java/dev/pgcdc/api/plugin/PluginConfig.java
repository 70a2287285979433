package dev.pgcdc.api.plugin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A configuration section as plain Java values (strings, numbers, booleans, lists and nested maps),
 * so a module needs no configuration library. Keys are relative to the section; {@link #path} gives
 * the full key for messages ({@code pgcdc.handler.json.tombstones}). Values are read and checked only
 * through the declarations of {@link dev.pgcdc.api.config.Section}, never one by one.
 * Immutable and thread-safe.
 */
public final class PluginConfig {

    private final String prefix;
    private final Map<String, Object> values;
    private final UnaryOperator<String> origins;

    /**
     * @param prefix full path of the section, e.g. {@code pgcdc.kafka} (empty for the root)
     * @param values the section; nested sections as maps
     */
    public PluginConfig(String prefix, Map<String, ?> values) {
        this(prefix, values, key -> null);
    }

    private PluginConfig(String prefix, Map<String, ?> values, UnaryOperator<String> origins) {
        this.prefix = prefix == null ? "" : prefix;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.origins = origins;
    }

    public static PluginConfig empty(String prefix) {
        return new PluginConfig(prefix, Map.of());
    }

    /**
     * This section with {@code origins} telling where the value of a full key was set ({@code app.conf: 12}),
     * or null when unknown; problems about a key name it.
     */
    public PluginConfig withOrigins(UnaryOperator<String> origins) {
        return new PluginConfig(prefix, values, origins);
    }

    /** This section with {@code key} set to {@code value} unless it is set already. */
    public PluginConfig withDefault(String key, Object value) {
        if (values.get(key) != null) {
            return this;
        }
        Map<String, Object> changed = new LinkedHashMap<>(values);
        changed.put(key, value);
        return new PluginConfig(prefix, changed, origins);
    }

    /** The full key of {@code key}. */
    public String path(String key) {
        return prefix.isEmpty() ? key : prefix + '.' + key;
    }

    public String prefix() {
        return prefix;
    }

    /** Where the value at the full key {@code fullKey} was set, or null when unknown. */
    public String origin(String fullKey) {
        return origins.apply(fullKey);
    }

    public Set<String> keys() {
        return values.keySet();
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /**
     * The nested section {@code key} (empty when absent or not an object; reading its parent's
     * declarations reports a value that is not an object).
     */
    public PluginConfig section(String key) {
        Object value = values.get(key);
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> nested = new LinkedHashMap<>();
            map.forEach((k, v) -> nested.put(String.valueOf(k), v));
            return new PluginConfig(path(key), nested, origins);
        }
        return new PluginConfig(path(key), Map.of(), origins);
    }

    @Override
    public String toString() {
        return "PluginConfig[" + prefix + "]";
    }
}
