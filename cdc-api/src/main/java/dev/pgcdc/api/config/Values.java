package dev.pgcdc.api.config;

import dev.pgcdc.api.plugin.PluginConfig;
import java.util.Map;

/**
 * The values of one section read by {@link Section#read}: each declared setting's typed value (its
 * default when unset or bad), and the problems found, shared with the other sections read for the
 * same configuration. Not thread-safe: use it while reading, then keep the records made from it.
 */
public final class Values {

    private final PluginConfig config;
    private final Map<Setting<?>, Object> values;
    private final Map<Setting<?>, Boolean> given;
    private final Problems problems;

    Values(PluginConfig config, Map<Setting<?>, Object> values, Map<Setting<?>, Boolean> given, Problems problems) {
        this.config = config;
        this.values = values;
        this.given = given;
        this.problems = problems;
    }

    /** The value of {@code setting}: as given, or its default (null when it has none). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (!values.containsKey(setting)) {
            throw new IllegalArgumentException(setting + " is not declared in section " + config.prefix());
        }
        return (T) values.get(setting);
    }

    /** Whether the configuration gave {@code setting} a value (good or bad). */
    public boolean isGiven(Setting<?> setting) {
        return given.getOrDefault(setting, false);
    }

    /** The full key of {@code setting} in this configuration, e.g. {@code pgcdc.kafka.linger}. */
    public String path(Setting<?> setting) {
        return config.path(setting.key());
    }

    /**
     * A secret that may be given inline ({@code inline}, e.g. {@code password}) or in a file
     * ({@code file}, a {@link Setting#secretFile} such as {@code password-file}): the one given, null
     * when neither is; both given is a problem naming the two keys.
     */
    public String either(Setting<String> inline, Setting<String> file) {
        if (isGiven(inline) && isGiven(file)) {
            problems.add(path(inline) + " and " + path(file) + " are both set; set one (the file for a secret mounted as a file)");
        }
        return isGiven(file) ? get(file) : get(inline);
    }

    /** The problems of this reading, to add those a cross-setting check finds. */
    public Problems problems() {
        return problems;
    }
}
