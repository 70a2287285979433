package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.app.logging.LogFormat;
import dev.pgcdc.app.logging.LoggingSettings;
import dev.pgcdc.metrics.http.HttpSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The keys cdc-app owns ({@code pgcdc.handler.name}, {@code pgcdc.sink.name}, {@code pgcdc.http},
 * {@code pgcdc.metrics}, {@code pgcdc.logging}, {@code pgcdc.pipeline}), read and checked all at once.
 *
 * @param handlerName  ServiceLoader name of the handler
 * @param sinkName     ServiceLoader name of the sink
 * @param http         where the HTTP endpoints listen, and whether the debug endpoints are served
 * @param slotInterval how often the slot's figures are read
 * @param logging      log level and format
 * @param pipeline     in-flight bounds, error policy, shutdown timeout
 */
public record AppSettings(
        String handlerName,
        String sinkName,
        HttpSettings http,
        Duration slotInterval,
        LoggingSettings logging,
        PipelineSettings pipeline) {

    private static final Map<String, ErrorPolicy> ERROR_POLICIES = orderedMap(
            "fail", ErrorPolicy.FAIL, "skip", ErrorPolicy.SKIP, "dead-letter", ErrorPolicy.DEAD_LETTER);
    private static final Map<String, String> SNAPSHOT_MODES = orderedMap(
            "never", "never", "initial", "initial", "snapshot_only", "snapshot_only");
    private static final Map<String, LogFormat> LOG_FORMATS = orderedMap("text", LogFormat.TEXT, "json", LogFormat.JSON);
    private static final Map<String, String> LOG_LEVELS = orderedMap(
            "trace", "trace", "debug", "debug", "info", "info", "warn", "warn", "error", "error", "off", "off");

    public AppSettings {
        Objects.requireNonNull(handlerName, "handlerName");
        Objects.requireNonNull(sinkName, "sinkName");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(slotInterval, "slotInterval");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(pipeline, "pipeline");
    }

    /**
     * Reads the settings from the merged configuration.
     *
     * @throws ConfigurationException listing every bad key
     */
    public static AppSettings from(Config config) {
        SettingsReader reader = new SettingsReader(config);
        String handlerName = reader.string("pgcdc.handler.name");
        String sinkName = reader.string("pgcdc.sink.name");
        String httpHost = reader.string("pgcdc.http.host");
        int httpPort = reader.integer("pgcdc.http.port", 0, 65535, 8080);
        boolean httpDebug = reader.bool("pgcdc.http.debug", false);
        Duration slotInterval = reader.duration("pgcdc.metrics.slot-interval", false, Duration.ofSeconds(10));
        LoggingSettings logging = logging(reader);
        PipelineSettings pipeline = pipeline(reader);
        checkSnapshot(reader);
        if (!reader.problems().isEmpty()) {
            throw new ConfigurationException(reader.problems());
        }
        return new AppSettings(handlerName, sinkName, new HttpSettings(httpHost, httpPort, httpDebug), slotInterval, logging, pipeline);
    }

    private static LoggingSettings logging(SettingsReader reader) {
        String level = reader.choice("pgcdc.logging.level", LOG_LEVELS, "info");
        LogFormat format = reader.choice("pgcdc.logging.format", LOG_FORMATS, LogFormat.TEXT);
        Map<String, String> loggers = new LinkedHashMap<>();
        reader.stringMap("pgcdc.logging.loggers").forEach((logger, loggerLevel) -> {
            if (LOG_LEVELS.containsKey(loggerLevel)) {
                loggers.put(logger, loggerLevel);
            } else {
                String path = "pgcdc.logging.loggers.\"" + logger + "\"";
                reader.problem(path + " = \"" + Secrets.show(path, loggerLevel) + "\" is not a level; allowed: "
                        + String.join(", ", LOG_LEVELS.keySet()));
            }
        });
        return new LoggingSettings(level, format, loggers);
    }

    /**
     * The {@code pgcdc.snapshot} keys are checked so a typo or a bad value is caught now; the snapshot
     * itself is a later feature, so a mode that needs it is refused instead of silently streaming.
     */
    private static void checkSnapshot(SettingsReader reader) {
        String mode = reader.choice("pgcdc.snapshot.mode", SNAPSHOT_MODES, "never");
        reader.integer("pgcdc.snapshot.chunk-size", 1, Integer.MAX_VALUE, 8000);
        reader.duration("pgcdc.snapshot.claim-timeout", false, Duration.ofSeconds(30));
        reader.duration("pgcdc.snapshot.heartbeat-interval", false, Duration.ofSeconds(5));
        reader.optionalString("pgcdc.snapshot.instance-id");
        reader.optionalString("pgcdc.snapshot.query-condition");
        reader.optionalString("pgcdc.snapshot.id");
        reader.bool("pgcdc.snapshot.resnapshot", false);
        if (!"never".equals(mode)) {
            reader.problem("pgcdc.snapshot.mode = \"" + mode + "\" is not available in this version: the initial snapshot is not built"
                    + " yet; allowed: never (stream changes from the slot's position)");
        }
    }

    private static PipelineSettings pipeline(SettingsReader reader) {
        int maxInFlightEvents = reader.integer("pgcdc.pipeline.max-in-flight-events", 1, Integer.MAX_VALUE, 20_000);
        long maxInFlightBytes = reader.bytes("pgcdc.pipeline.max-in-flight-bytes", 1, 64L << 20);
        int pollBatchSize = reader.integer("pgcdc.pipeline.poll-batch-size", 1, 1_000_000, 1000);
        Duration pollTimeout = reader.duration("pgcdc.pipeline.poll-timeout", false, Duration.ofMillis(100));
        ErrorPolicy errorPolicy = reader.choice("pgcdc.pipeline.error-policy", ERROR_POLICIES, ErrorPolicy.FAIL);
        String deadLetterTopic = reader.optionalString("pgcdc.pipeline.dead-letter-topic").orElse(null);
        if (errorPolicy == ErrorPolicy.DEAD_LETTER && deadLetterTopic == null) {
            reader.problem("pgcdc.pipeline.dead-letter-topic is required when pgcdc.pipeline.error-policy = dead-letter");
        }
        Duration shutdownTimeout = reader.duration("pgcdc.pipeline.shutdown-timeout", true, Duration.ofSeconds(30));
        if (!reader.problems().isEmpty()) {
            return PipelineSettings.defaults();
        }
        return PipelineSettings.builder()
                .maxInFlightEvents(maxInFlightEvents)
                .maxInFlightBytes(maxInFlightBytes)
                .pollBatchSize(pollBatchSize)
                .pollTimeout(pollTimeout)
                .errorPolicy(errorPolicy)
                .deadLetterTopic(deadLetterTopic)
                .shutdownTimeout(shutdownTimeout)
                .build();
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> orderedMap(Object... keysAndValues) {
        Map<String, T> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (T) keysAndValues[i + 1]);
        }
        return map;
    }
}
