package dev.pgcdc.app.logging;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code pgcdc.logging} section.
 *
 * @param level   the root level: {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}
 * @param format  text or JSON lines
 * @param loggers levels of single loggers and their children, by logger name
 */
public record LoggingSettings(String level, LogFormat format, Map<String, String> loggers) {

    /** The level names {@code level} and {@code loggers} accept. */
    public static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    public LoggingSettings {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(format, "format");
        loggers = Map.copyOf(loggers);
    }

    /** Info, text, with the producer's chatter turned down: what applies before the configuration is read. */
    public static LoggingSettings defaults() {
        return new LoggingSettings("info", LogFormat.TEXT, Map.of("org.apache.kafka", "warn"));
    }
}
