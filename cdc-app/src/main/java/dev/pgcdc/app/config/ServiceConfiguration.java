package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.DebeziumProperties;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Secrets;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.pipeline.ErrorPolicy;
import dev.pgcdc.api.pipeline.PipelineSettings;
import dev.pgcdc.api.plugin.MeterRegistrar;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.coordination.failover.InstanceId;
import dev.pgcdc.postgres.PostgresSections;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.snapshot.SnapshotSections;
import dev.pgcdc.snapshot.SnapshotSettings;
import dev.pgcdc.postgres.TableSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The whole configuration of a service, validated: the merged HOCON tree, the app's own settings,
 * the source's settings, and the sections the selected handler and sink are made from. Made by
 * {@link #load}, which reports every problem of every module at once, before anything connects:
 * a problem in one section never skips the checks of another. Immutable.
 *
 * <p>Which section configures which plugin: the handler named {@code N} gets {@code pgcdc.handler.N};
 * the sink named {@code N} gets the section its provider declares ({@code pgcdc.kafka} for the Kafka
 * sink), else {@code pgcdc.sink.N}. Nothing here names an adapter: every section comes from the
 * providers found ({@link PluginCatalog}) plus the app's and the snapshot's own.
 *
 * @param config         the merged, resolved configuration (secrets in clear: never log it, use {@link #renderMasked})
 * @param app            the app's own settings
 * @param postgres       the source's settings
 * @param handlerSection the handler's section
 * @param sinkSection    the sink's section
 * @param snapshot       the snapshot's settings ({@code pgcdc.snapshot})
 * @param context        what every plugin is made with besides its section (its {@code config} is the {@code pgcdc} root)
 * @param warnings       valid settings that weaken a delivery guarantee, one sentence each naming the key (the Kafka
 *                       sink's {@code acks} below {@code all}); {@code validate} prints them, the sink logs them at start
 */
public record ServiceConfiguration(
        Config config,
        AppSettings app,
        PostgresSourceSettings postgres,
        PluginConfig handlerSection,
        PluginConfig sinkSection,
        SnapshotSections.Configured snapshot,
        PluginContext context,
        List<String> warnings) {

    /** Every declared section of the modules on the class path, for the check of the root and the documentation. */
    public static final List<Section> SECTIONS = sections(PluginCatalog.discover(ServiceConfiguration.class.getClassLoader()));

    private static final String ROOT = "pgcdc";

    public ServiceConfiguration {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(handlerSection, "handlerSection");
        Objects.requireNonNull(sinkSection, "sinkSection");
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(context, "context");
        warnings = List.copyOf(warnings);
    }

    /** The sections the providers of {@code catalog} declare, the app's own and the snapshot's. */
    public static List<Section> sections(PluginCatalog catalog) {
        List<Section> all = new ArrayList<>();
        catalog.sources().values().forEach(source -> all.addAll(source.settings()));
        catalog.sinks().values().forEach(sink -> sink.settings().ifPresent(all::add));
        all.addAll(AppSections.ALL);
        catalog.handlers().values().forEach(handler -> handler.settings().ifPresent(all::add));
        all.add(SnapshotSections.SECTION);
        return List.copyOf(all);
    }

    /** The section of the selected handler, with the context. */
    public PluginContext handlerContext() {
        return context.withConfig(handlerSection);
    }

    /** The section of the selected sink, with the context. */
    public PluginContext sinkContext() {
        return context.withConfig(sinkSection);
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
     * Checks an already merged configuration ({@code user} is the user's part, for keys written outside the root).
     *
     * @throws ConfigurationException listing every problem found
     */
    public static ServiceConfiguration validate(Config user, Config merged, Config reference, PluginCatalog catalog) {
        Problems problems = new Problems();
        catalog.problems().forEach(problems::add);
        List<Section> sections = sections(catalog);
        outsideTheRoot(user, sections, problems);
        PluginConfig root = root(merged, problems);
        rootSection(sections).checkKeys(root, problems, name -> elsewhere(sections, name));
        AppSettings app = AppSections.read(root, catalog.handlers().keySet(), catalog.sinks().keySet(), problems);
        PostgresSourceSettings postgres = problems.collect(() -> PostgresSourceSettings.from(root));
        SnapshotSections.Configured snapshot = SnapshotSections.read(root.section("snapshot"), problems);

        ChangeHandlerProvider handler = catalog.handlers().get(app.handlerName());
        PluginConfig handlerSection = root.section("handler").section(app.handlerName());
        PluginContext context = context(root, snapshot, handler != null && handler.leavesTopicsToSink(),
                handler == null ? null : handler.topicPrefix(handlerSection).orElse(null));
        checkHandler(catalog, app.handlerName(), context.withConfig(handlerSection), problems);
        SinkProvider sink = catalog.sinks().get(app.sinkName());
        PluginConfig sinkSection = sink == null ? root.section("sink").section(app.sinkName())
                : sink.resolve(context.withConfig(section(root, sinkPath(sink))));
        checkSink(catalog, app.sinkName(), context.withConfig(sinkSection), problems);
        if (sink != null && sink.exactlyOnceSetting(sinkSection).isPresent()) {
            // an exactly-once snapshot keeps a whole chunk in flight: the default chunk fits the default bound
            snapshot = snapshot.withDefaultChunkSizeAtMost(app.pipeline().maxInFlightEvents() / 2);
        }
        checkSnapshot(snapshot, postgres, sink, sinkSection, app.pipeline(), problems);

        if (!problems.isEmpty()) {
            // what the facility prints is masked already; this also catches a secret a plugin's problem quotes
            UnaryOperator<String> redactor = Secrets.redactor(merged.root().unwrapped());
            throw new ConfigurationException(problems.list().stream().map(redactor).toList());
        }
        return new ServiceConfiguration(merged, app, postgres, handlerSection, sinkSection, snapshot, context, sink.warnings(sinkSection));
    }

    /** The {@code pgcdc} tree as HOCON, every secret replaced by {@value Secrets#MASK}: safe for logs. */
    public String renderMasked() {
        return renderMasked(config);
    }

    /** The {@code pgcdc} tree of {@code config} as HOCON with secrets masked at every depth. */
    public static String renderMasked(Config config) {
        Object masked = Secrets.masked("", config.withOnlyPath(ROOT).root().unwrapped());
        return ConfigValueFactory.fromAnyRef(masked).render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** Masks, in {@code text} (an error from starting or running the service), every value this configuration holds under a secret key. */
    public String redact(String text) {
        return Secrets.redactor(config.root().unwrapped()).apply(text);
    }

    /** The path of the section {@code sink} is configured from: the one it declares, else {@code pgcdc.sink.<name>}. */
    public static String sinkPath(SinkProvider sink) {
        return sink.settings().map(Section::path).orElse(ROOT + ".sink." + sink.name());
    }

    /** The section at the full path {@code path} under the root. */
    private static PluginConfig section(PluginConfig root, String path) {
        PluginConfig section = root;
        for (String part : path.substring(ROOT.length() + 1).split("\\.")) {
            section = section.section(part);
        }
        return section;
    }

    /**
     * The context of every plugin: the captured tables and the slot's name read on their own (a
     * problem elsewhere in the source's settings never hides them), the instance id.
     */
    private static PluginContext context(PluginConfig root, SnapshotSections.Configured snapshot, boolean handlerLeavesTopicsToSink,
            String handlerTopicPrefix) {
        Problems ignored = new Problems();
        String slotName = PostgresSections.SLOT.read(root.section("slot"), ignored).get(PostgresSections.SLOT_NAME);
        var publication = PostgresSections.PUBLICATION.read(root.section("publication"), ignored);
        String tablesKey = publication.path(PostgresSections.TABLES);
        boolean tablesBad = ignored.list().stream().anyMatch(p -> p.startsWith(tablesKey));
        List<TableId> tables = tablesBad ? List.of() : publication.get(PostgresSections.TABLES).stream().map(TableSettings::table).toList();
        return new PluginContext(root, tables, !tablesBad && Boolean.TRUE.equals(publication.get(PostgresSections.ALL_TABLES)), slotName,
                snapshot.instanceId().orElseGet(InstanceId::defaultId), handlerLeavesTopicsToSink, handlerTopicPrefix, MeterRegistrar.NONE);
    }

    /** The {@code pgcdc} section as plain values, each key able to say where it was set. */
    private static PluginConfig root(Config merged, Problems problems) {
        if (!merged.hasPath(ROOT)) {
            return PluginConfig.empty(ROOT);
        }
        if (merged.getValue(ROOT).valueType() != ConfigValueType.OBJECT) {
            problems.bad(ROOT, merged.getValue(ROOT).unwrapped(), "is not a section; allowed: an object { key = value, ... }");
            return PluginConfig.empty(ROOT);
        }
        return new PluginConfig(ROOT, merged.getConfig(ROOT).root().unwrapped()).withOrigins(key -> origin(merged, key));
    }

    private static String origin(Config merged, String fullKey) {
        try {
            String description = merged.getValue(fullKey).origin().description();
            return description == null ? "unknown origin" : description;
        } catch (ConfigException e) {
            return null;
        }
    }

    /** The root: a section of each module section's first part ({@code postgres}, {@code kafka}, {@code handler}). */
    private static Section rootSection(List<Section> sections) {
        Set<String> names = new TreeSet<>();
        for (Section section : sections) {
            String rest = section.path().substring(ROOT.length() + 1);
            names.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        return Section.of(ROOT).with(names.stream().map(Setting::section).toList());
    }

    /** The one full key named {@code name} in any declared section: a key written in the wrong section. */
    private static Optional<String> elsewhere(List<Section> sections, String name) {
        Set<String> found = new LinkedHashSet<>();
        for (Section section : sections) {
            for (Setting<?> setting : section.settings()) {
                String key = setting.key();
                if (key.equals(name) || key.endsWith("." + name)) {
                    found.add(section.path() + "." + key);
                }
            }
        }
        return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
    }

    /** A top-level key of the user's file that belongs under {@code pgcdc}, or that is a Debezium property pasted as it is. */
    private static void outsideTheRoot(Config user, List<Section> sections, Problems problems) {
        Set<String> known = new TreeSet<>();
        for (Section section : sections) {
            String rest = section.path().substring(ROOT.length() + 1);
            known.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        for (String key : new TreeSet<>(user.root().keySet())) {
            if (!key.equals(ROOT) && known.contains(key)) {
                String description = user.root().get(key).origin().description();
                problems.add(key + " (" + (description == null ? "unknown origin" : description) + ") is outside the pgcdc root; write it as pgcdc."
                        + key + " or inside pgcdc { ... }");
            } else if (!key.equals(ROOT)) {
                // Debezium's connector properties pasted as they are (or in Kafka Connect's {"config": {...}})
                DebeziumProperties.problems(key, user.root().get(key).unwrapped(), path -> origin(user, path)).forEach(problems::add);
            }
        }
    }

    /**
     * What the snapshot needs of the other sections: for {@code initial}, listed tables must be
     * published; exactly-once is not combined with a snapshot yet (several instances would fence each
     * other's transactional producer, and a chunk read again would be written again).
     */
    /**
     * The snapshot's settings against the rest. Exactly-once commits a chunk's rows in one transaction (see
     * docs/operations.md, "Initial snapshot"): a chunk must fit in the pipeline's in-flight bound, and no row
     * may be skipped, or the transaction of its chunk would wait for an end the sink never sees.
     */
    private static void checkSnapshot(SnapshotSections.Configured snapshot, PostgresSourceSettings postgres, SinkProvider sink,
            PluginConfig sinkSection, PipelineSettings pipeline, Problems problems) {
        if (snapshot.mode() == SnapshotSettings.Mode.NEVER) {
            return;
        }
        Optional<String> exactlyOnce = sink == null ? Optional.empty() : sink.exactlyOnceSetting(sinkSection);
        exactlyOnce.ifPresent(setting -> {
            String mode = "pgcdc.snapshot.mode = " + snapshot.mode().name().toLowerCase(java.util.Locale.ROOT);
            if (snapshot.chunkSize() > pipeline.maxInFlightEvents() / 2) {
                problems.add("pgcdc.snapshot.chunk-size = " + snapshot.chunkSize() + " must be at most half of pgcdc.pipeline.max-in-flight-events ("
                        + pipeline.maxInFlightEvents() + ") with " + mode + " and " + setting + ": a chunk's rows are committed in one"
                        + " Kafka transaction, so they all wait in flight until the chunk ends");
            }
            if (pipeline.errorPolicy() == ErrorPolicy.SKIP) {
                problems.add("pgcdc.pipeline.error-policy = skip cannot be combined with " + mode + " and " + setting + ": a chunk's"
                        + " rows are committed when its last row is written, which a skipped row never is; use fail or dead-letter");
            }
        });
        if (snapshot.mode() == SnapshotSettings.Mode.INITIAL && postgres != null && !postgres.publicationAllTables()) {
            Set<TableId> published = new java.util.HashSet<>(postgres.tables().stream().map(TableSettings::table).toList());
            for (TableId table : snapshot.tableIds()) {
                if (!published.contains(table)) {
                    problems.add("pgcdc.snapshot.tables names " + table + ", which is not in pgcdc.publication.tables: with mode = initial"
                            + " the snapshot covers published tables only (snapshot_only may read any table)");
                }
            }
        }
    }

    private static void checkHandler(PluginCatalog catalog, String name, PluginContext context, Problems problems) {
        ChangeHandlerProvider provider = catalog.handlers().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.handlers(), name, "pgcdc.handler.name", "handler"));
            return;
        }
        provider.validate(context, problems);
    }

    private static void checkSink(PluginCatalog catalog, String name, PluginContext context, Problems problems) {
        SinkProvider provider = catalog.sinks().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.sinks(), name, "pgcdc.sink.name", "sink"));
            return;
        }
        provider.validate(context, problems);
    }
}
