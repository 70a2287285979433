package dev.pgcdc.api.config;

/**
 * How the raw value of a setting (a string, number, boolean, list or map, as a configuration file
 * gives it) becomes a typed value. The built-in types are {@link Setting}'s factories; a module
 * declares its own for values only it understands (a table name, a list of table objects).
 * Implementations are stateless and thread-safe.
 *
 * @param <T> the typed value
 */
public interface SettingType<T> {

    /**
     * The typed value of {@code raw} (never null), or null after adding to {@code problems} one
     * message naming {@code key}, the value and what is allowed (see {@link Problems#bad}).
     */
    T parse(String key, Object raw, Problems problems);

    /** {@code value} written as a configuration file would write it ({@code 10ms}, {@code 32MiB}, {@code all}). */
    default String render(T value) {
        return String.valueOf(value);
    }
}
