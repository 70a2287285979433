package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.postgres.TableSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The whole configuration of a service, validated: the merged HOCON tree, the app's own settings,
 * the source's settings, and the sections the selected handler and sink are made from. Made by
 * {@link #load}, which reports every problem of every module at once, before anything connects.
 * Immutable.
 *
 * <p>Which section configures which plugin: the handler named {@code N} gets {@code pgcdc.handler.N};
 * the sink named {@code kafka} gets {@code pgcdc.kafka}, any other sink {@code N} gets {@code pgcdc.sink.N}.
 *
 * @param config         the merged, resolved configuration (secrets in clear: never log it, use {@link #renderMasked})
 * @param app            the app's own settings
 * @param postgres       the source's settings
 * @param handlerSection the handler's section
 * @param sinkSection    the sink's section
 */
public record ServiceConfiguration(
        Config config,
        AppSettings app,
        PostgresSourceSettings postgres,
        PluginConfig handlerSection,
        PluginConfig sinkSection) {

    /** The name of the built-in sink, configured from {@code pgcdc.kafka}. */
    public static final String KAFKA_SINK = "kafka";
    /** The name of the built-in handler, configured from {@code pgcdc.handler.json}. */
    public static final String JSON_HANDLER = "json";

    public ServiceConfiguration {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(handlerSection, "handlerSection");
        Objects.requireNonNull(sinkSection, "sinkSection");
    }

    /**
     * Reads {@code file} over every module's reference configuration and checks all of it: the app's
     * keys, unknown keys, the source's settings, the handler and sink names and their sections.
     *
     * @throws ConfigurationException listing every problem found
     */
    public static ServiceConfiguration load(Path file, ConfigLoader loader, PluginCatalog catalog) {
        Config user = loader.parse(file);
        Config merged = loader.merge(user);
        return validate(user, merged, loader.reference(), catalog);
    }

    /**
     * Checks an already merged configuration ({@code user} is the user's part, for unknown keys).
     *
     * @throws ConfigurationException listing every problem found
     */
    public static ServiceConfiguration validate(Config user, Config merged, Config reference, PluginCatalog catalog) {
        List<String> problems = new ArrayList<>(catalog.problems());
        List<String> unknownKeys = new UnknownKeys(reference, catalog.handlers().keySet(), catalog.sinks().keySet()).find(user, merged);
        problems.addAll(unknownKeys);
        AppSettings app = collect(problems, () -> AppSettings.from(merged));
        PluginConfig root = orEmpty(collect(problems, () -> section(merged, "pgcdc")), "pgcdc");
        PostgresSourceSettings postgres = collect(problems, () -> PostgresSourceSettings.from(root));
        PluginConfig handlerSection = null;
        PluginConfig sinkSection = null;
        if (app != null) {
            String handlerPath = ConfigUtil.joinPath("pgcdc", "handler", app.handlerName());
            handlerSection = orEmpty(collect(problems, () -> section(merged, handlerPath)), handlerPath);
            checkHandler(catalog, app.handlerName(), handlerSection, problems);
            String sinkName = app.sinkName();
            sinkSection = orEmpty(collect(problems, () -> sinkSection(merged, sinkName, postgres)), sinkPath(sinkName));
            checkSink(catalog, app, sinkSection, postgres, problems);
        }
        if (!problems.isEmpty()) {
            // cdc-app masks what it prints itself; this also catches a secret an adapter's problem quotes
            UnaryOperator<String> redactor = Secrets.redactor(merged);
            throw new ConfigurationException(withoutRepeats(problems, unknownKeys).stream().map(redactor).toList());
        }
        return new ServiceConfiguration(merged, app, postgres, handlerSection, sinkSection);
    }

    /** The {@code pgcdc} tree as HOCON, every secret replaced by {@value Secrets#MASK}: safe for logs. */
    public String renderMasked() {
        return renderMasked(config);
    }

    /** The {@code pgcdc} tree of {@code config} as HOCON with secrets masked at every depth. */
    public static String renderMasked(Config config) {
        return Secrets.masked("", config.withOnlyPath("pgcdc").root())
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** Masks, in {@code text} (an error from starting or running the service), every value this configuration holds under a secret key. */
    public String redact(String text) {
        return Secrets.redactor(config).apply(text);
    }

    /** The section at {@code path} as a plugin's plain-Java configuration (empty when absent). */
    public static PluginConfig section(Config config, String path) {
        if (!config.hasPath(path)) {
            return PluginConfig.empty(path);
        }
        if (config.getValue(path).valueType() != ConfigValueType.OBJECT) {
            throw new ConfigurationException(path + " = " + Secrets.render(path, config.getValue(path))
                    + " is not a section; allowed: an object { key = value, ... }");
        }
        return new PluginConfig(path, config.getConfig(path).root().unwrapped());
    }

    /** The path of the section the sink named {@code sinkName} is configured from. */
    public static String sinkPath(String sinkName) {
        return KAFKA_SINK.equals(sinkName) ? "pgcdc.kafka" : ConfigUtil.joinPath("pgcdc", "sink", sinkName);
    }

    private static PluginConfig orEmpty(PluginConfig section, String path) {
        return section != null ? section : PluginConfig.empty(path);
    }

    private static PluginConfig sinkSection(Config merged, String sinkName, PostgresSourceSettings postgres) {
        if (!KAFKA_SINK.equals(sinkName)) {
            return section(merged, sinkPath(sinkName));
        }
        PluginConfig kafka = section(merged, sinkPath(sinkName));
        if (kafka.has("transactional-id") || postgres == null) {
            return kafka;
        }
        // exactly-once fences zombies by transactional.id; one per slot is what makes that work
        Map<String, Object> values = new LinkedHashMap<>(kafka.asMap());
        values.put("transactional-id", "pgcdc-" + postgres.slotName());
        return new PluginConfig(kafka.prefix(), values);
    }

    /**
     * Valid settings that weaken a delivery guarantee, one sentence each naming the key (the Kafka
     * sink's {@code acks} below {@code all}); {@code validate} prints them, the sink logs them at start.
     */
    public List<String> warnings() {
        return KAFKA_SINK.equals(app.sinkName()) ? KafkaSinkSettings.from(sinkSection).warnings() : List.of();
    }

    private static void checkHandler(PluginCatalog catalog, String name, PluginConfig section, List<String> problems) {
        ChangeHandlerProvider provider = catalog.handlers().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.handlers(), name, "pgcdc.handler.name", "handler"));
            return;
        }
        // handlers are cheap to make and hold nothing external before use: make one to have it check its section
        collect(problems, () -> {
            try (ChangeHandler handler = provider.create(section)) {
                return handler;
            }
        });
    }

    private static void checkSink(PluginCatalog catalog, AppSettings app, PluginConfig section, PostgresSourceSettings postgres,
                                  List<String> problems) {
        String name = app.sinkName();
        SinkProvider provider = catalog.sinks().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.sinks(), name, "pgcdc.sink.name", "sink"));
            return;
        }
        if (KAFKA_SINK.equals(name)) {
            // the Kafka sink's settings are all it checks before start
            KafkaSinkSettings kafka = collect(problems, () -> KafkaSinkSettings.from(section));
            if (kafka != null && postgres != null && JSON_HANDLER.equals(app.handlerName())) {
                // the json handler writes each table to its mapped topic: every captured table needs one
                collect(problems, () -> {
                    kafka.requireMappedTables(postgres.tables().stream().map(TableSettings::table).toList());
                    return kafka;
                });
            }
            return;
        }
        collect(problems, () -> {
            try (Sink sink = provider.create(section)) {
                return sink;
            }
        });
    }

    /** The problems less those an adapter reported again about a key already reported unknown. */
    private static List<String> withoutRepeats(List<String> problems, List<String> unknownKeys) {
        List<String> keys = new ArrayList<>();
        for (String unknown : unknownKeys) {
            keys.add(unknown.substring(0, unknown.indexOf(' ')));
        }
        List<String> kept = new ArrayList<>();
        for (String problem : problems) {
            boolean repeat = !unknownKeys.contains(problem) && keys.stream().anyMatch(key -> problem.startsWith(key + " ")
                    || problem.startsWith(key + ":") || problem.contains(" " + key + " "));
            if (!repeat) {
                kept.add(problem);
            }
        }
        return kept;
    }

    private static <T> T collect(List<String> problems, Supplier<T> reading) {
        try {
            return reading.get();
        } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return null;
        }
    }
}
