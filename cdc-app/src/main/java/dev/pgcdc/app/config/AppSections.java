package dev.pgcdc.app.config;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Secrets;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.config.SettingType;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.app.logging.LogFormat;
import dev.pgcdc.app.logging.LoggingSettings;
import dev.pgcdc.metrics.http.HttpSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings cdc-app owns, declared once: {@code pgcdc.handler.name}, {@code pgcdc.sink.name},
 * {@code pgcdc.http}, {@code pgcdc.metrics}, {@code pgcdc.logging}, {@code pgcdc.pipeline} and
 * {@code pgcdc.snapshot}, read into {@link AppSettings}. Stateless and thread-safe.
 */
public final class AppSections {

    public static final Setting<String> HANDLER_NAME = Setting.string("name").required().defaultsTo("json")
            .doc("ServiceLoader name of the ChangeHandler");
    public static final Setting<String> SINK_NAME = Setting.string("name").required().defaultsTo("kafka").doc("ServiceLoader name of the Sink");

    public static final Setting<String> HTTP_HOST = Setting.string("host").required().defaultsTo("0.0.0.0").doc("address of the HTTP endpoints");
    public static final Setting<Integer> HTTP_PORT = Setting.integer("port").defaultsTo(8080).between(0, 65535).doc("0 picks a free port");
    public static final Setting<Boolean> HTTP_DEBUG = Setting.bool("debug").defaultsTo(false).doc("adds /debug/threads and /debug/jfr");

    public static final Setting<Duration> SLOT_INTERVAL = Setting.duration("slot-interval").defaultsTo(Duration.ofSeconds(10)).positive()
            .doc("how often the slot's figures are read");

    public static final Setting<String> LOG_LEVEL = Setting.oneOf("level", "trace", "debug", "info", "warn", "error", "off")
            .defaultsTo("info").doc("the root log level");
    public static final Setting<String> LOG_FORMAT = Setting.oneOf("format", "text", "json").defaultsTo("text").doc("text or JSON lines");
    public static final Setting<Map<String, String>> LOGGERS = Setting.object("loggers").defaultsTo(Map.of("org.apache.kafka", "warn"))
            .doc("levels of single loggers");

    public static final Setting<Integer> MAX_IN_FLIGHT_EVENTS = Setting.integer("max-in-flight-events").defaultsTo(2_000)
            .between(1, Integer.MAX_VALUE).doc("events handed to the sink and not yet durable, at most");
    public static final Setting<Long> MAX_IN_FLIGHT_BYTES = Setting.bytes("max-in-flight-bytes").defaultsTo(8L << 20).atLeast(1)
            .doc("bytes of their records, at most");
    public static final Setting<Integer> POLL_BATCH_SIZE = Setting.integer("poll-batch-size").defaultsTo(1000).between(1, 1_000_000)
            .doc("events asked of the source per poll");
    public static final Setting<Duration> POLL_TIMEOUT = Setting.duration("poll-timeout").defaultsTo(Duration.ofMillis(100)).positive()
            .doc("how long one poll waits for the first event");
    public static final Setting<String> ERROR_POLICY = Setting.oneOf("error-policy", "fail", "skip", "dead-letter").defaultsTo("fail")
            .doc("what a handler error does");
    public static final Setting<String> DEAD_LETTER_TOPIC = Setting.string("dead-letter-topic").doc("required with dead-letter");
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = Setting.duration("shutdown-timeout").defaultsTo(Duration.ofSeconds(30))
            .notNegative().doc("bounds a stop");


    /** The handler's name; the sections of the handlers found are added by {@link #handler}. */
    public static final Section HANDLER = Section.of("pgcdc.handler", HANDLER_NAME);
    /** The sink's name; the sections of the sinks found are added by {@link #sink}. */
    public static final Section SINK = Section.of("pgcdc.sink", SINK_NAME);
    public static final Section HTTP = Section.of("pgcdc.http", HTTP_HOST, HTTP_PORT, HTTP_DEBUG);
    public static final Section METRICS = Section.of("pgcdc.metrics", SLOT_INTERVAL);
    public static final Section LOGGING = Section.of("pgcdc.logging", LOG_LEVEL, LOG_FORMAT, LOGGERS);
    public static final Section PIPELINE = Section.of("pgcdc.pipeline", MAX_IN_FLIGHT_EVENTS, MAX_IN_FLIGHT_BYTES, POLL_BATCH_SIZE, POLL_TIMEOUT,
            ERROR_POLICY, DEAD_LETTER_TOPIC, SHUTDOWN_TIMEOUT);
    /** Every section cdc-app owns, in the order of docs/configuration.md. */
    public static final List<Section> ALL = List.of(HANDLER, SINK, HTTP, METRICS, LOGGING, PIPELINE);

    private static final Map<String, ErrorPolicy> ERROR_POLICIES = Map.of(
            "fail", ErrorPolicy.FAIL, "skip", ErrorPolicy.SKIP, "dead-letter", ErrorPolicy.DEAD_LETTER);

    private AppSections() {
    }

    /** {@code pgcdc.handler}: the name and the section of each handler found (each checked by its handler). */
    static Section handler(Set<String> handlerNames) {
        return HANDLER.with(handlerNames.stream().map(Setting::section).toList());
    }

    /** {@code pgcdc.sink}: the name and the section of each sink found. */
    static Section sink(Set<String> sinkNames) {
        return SINK.with(sinkNames.stream().map(Setting::section).toList());
    }

    /** Reads the app's sections from {@code root} (the {@code pgcdc} section), adding every problem to {@code problems}. */
    static AppSettings read(PluginConfig root, Set<String> handlerNames, Set<String> sinkNames, Problems problems) {
        Values handler = handler(handlerNames).read(root.section("handler"), problems);
        Values sink = sink(sinkNames).read(root.section("sink"), problems);
        Values http = HTTP.read(root.section("http"), problems);
        Values metrics = METRICS.read(root.section("metrics"), problems);
        LoggingSettings logging = logging(LOGGING.read(root.section("logging"), problems));
        PipelineSettings pipeline = pipeline(PIPELINE.read(root.section("pipeline"), problems));
        return new AppSettings(handler.get(HANDLER_NAME), sink.get(SINK_NAME),
                new HttpSettings(http.get(HTTP_HOST), http.get(HTTP_PORT), http.get(HTTP_DEBUG)), metrics.get(SLOT_INTERVAL), logging, pipeline);
    }

    private static LoggingSettings logging(Values values) {
        Map<String, String> loggers = new LinkedHashMap<>();
        values.get(LOGGERS).forEach((logger, level) -> {
            if (LoggingSettings.LEVELS.contains(level)) {
                loggers.put(logger, level);
            } else {
                String path = values.path(LOGGERS) + ".\"" + logger + "\"";
                values.problems().add(path + " = \"" + Secrets.show(path, level) + "\" is not a level; allowed: trace, debug, info, warn, error, off");
            }
        });
        return new LoggingSettings(values.get(LOG_LEVEL), LogFormat.valueOf(values.get(LOG_FORMAT).toUpperCase(Locale.ROOT)), loggers);
    }

    private static PipelineSettings pipeline(Values values) {
        ErrorPolicy errorPolicy = ERROR_POLICIES.get(values.get(ERROR_POLICY));
        String deadLetterTopic = values.get(DEAD_LETTER_TOPIC);
        if (errorPolicy == ErrorPolicy.DEAD_LETTER && deadLetterTopic == null) {
            values.problems().add(values.path(DEAD_LETTER_TOPIC) + " is required when " + values.path(ERROR_POLICY) + " = dead-letter");
            return PipelineSettings.defaults();
        }
        return PipelineSettings.builder()
                .maxInFlightEvents(values.get(MAX_IN_FLIGHT_EVENTS))
                .maxInFlightBytes(values.get(MAX_IN_FLIGHT_BYTES))
                .pollBatchSize(values.get(POLL_BATCH_SIZE))
                .pollTimeout(values.get(POLL_TIMEOUT))
                .errorPolicy(errorPolicy)
                .deadLetterTopic(deadLetterTopic)
                .shutdownTimeout(values.get(SHUTDOWN_TIMEOUT))
                .build();
    }
}
