package dev.pgcdc.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Secrets;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Setting;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.ChangeHandler;
import dev.pgcdc.api.handler.ChangeHandlerProvider;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import dev.pgcdc.app.plugin.PluginCatalog;
import dev.pgcdc.kafka.KafkaSections;
import dev.pgcdc.kafka.KafkaSinkSettings;
import dev.pgcdc.kafka.json.JsonHandlerSettings;
import dev.pgcdc.postgres.PostgresSections;
import dev.pgcdc.postgres.PostgresSourceSettings;
import dev.pgcdc.snapshot.SnapshotSections;
import dev.pgcdc.snapshot.SnapshotSettings;
import dev.pgcdc.postgres.TableSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * the sink named {@code kafka} gets {@code pgcdc.kafka}, any other sink {@code N} gets {@code pgcdc.sink.N}.
 *
 * @param config         the merged, resolved configuration (secrets in clear: never log it, use {@link #renderMasked})
 * @param app            the app's own settings
 * @param postgres       the source's settings
 * @param handlerSection the handler's section
 * @param sinkSection    the sink's section
 * @param snapshot       the snapshot's settings ({@code pgcdc.snapshot})
 */
public record ServiceConfiguration(
        Config config,
        AppSettings app,
        PostgresSourceSettings postgres,
        PluginConfig handlerSection,
        PluginConfig sinkSection,
        SnapshotSections.Configured snapshot) {

    /** The name of the built-in sink, configured from {@code pgcdc.kafka}. */
    public static final String KAFKA_SINK = "kafka";
    /** The name of the built-in handler, configured from {@code pgcdc.handler.json}. */
    public static final String JSON_HANDLER = "json";

    /** Every declared section of the modules on the class path, for the check of the root and the documentation. */
    public static final List<Section> SECTIONS = sections();

    private static final String ROOT = "pgcdc";

    public ServiceConfiguration {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(postgres, "postgres");
        Objects.requireNonNull(handlerSection, "handlerSection");
        Objects.requireNonNull(sinkSection, "sinkSection");
        Objects.requireNonNull(snapshot, "snapshot");
    }

    private static List<Section> sections() {
        List<Section> all = new ArrayList<>(PostgresSections.ALL);
        all.add(KafkaSections.SECTION);
        all.addAll(AppSections.ALL);
        all.add(JsonHandlerSettings.SECTION);
        all.add(SnapshotSections.SECTION);
        return List.copyOf(all);
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
        outsideTheRoot(user, problems);
        PluginConfig root = root(merged, problems);
        rootSection().checkKeys(root, problems, ServiceConfiguration::elsewhere);
        AppSettings app = AppSections.read(root, catalog.handlers().keySet(), catalog.sinks().keySet(), problems);
        PostgresSourceSettings postgres = problems.collect(() -> PostgresSourceSettings.from(root));
        SnapshotSections.Configured snapshot = SnapshotSections.read(root.section("snapshot"), problems);

        PluginConfig handlerSection = root.section("handler").section(app.handlerName());
        checkHandler(catalog, app.handlerName(), handlerSection, problems);
        PluginConfig sinkSection = sinkSection(root, app.sinkName());
        checkSink(catalog, app, root, sinkSection, problems);
        checkSnapshot(snapshot, postgres, app, sinkSection, problems);

        if (!problems.isEmpty()) {
            // what the facility prints is masked already; this also catches a secret a plugin's problem quotes
            UnaryOperator<String> redactor = Secrets.redactor(merged.root().unwrapped());
            throw new ConfigurationException(problems.list().stream().map(redactor).toList());
        }
        return new ServiceConfiguration(merged, app, postgres, handlerSection, sinkSection, snapshot);
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

    /** The path of the section the sink named {@code sinkName} is configured from. */
    public static String sinkPath(String sinkName) {
        return KAFKA_SINK.equals(sinkName) ? KafkaSections.SECTION.path() : ROOT + ".sink." + sinkName;
    }

    /**
     * Valid settings that weaken a delivery guarantee, one sentence each naming the key (the Kafka
     * sink's {@code acks} below {@code all}); {@code validate} prints them, the sink logs them at start.
     */
    public List<String> warnings() {
        return KAFKA_SINK.equals(app.sinkName()) ? KafkaSinkSettings.from(sinkSection).warnings() : List.of();
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
    private static Section rootSection() {
        Set<String> names = new TreeSet<>();
        for (Section section : SECTIONS) {
            String rest = section.path().substring(ROOT.length() + 1);
            names.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        return Section.of(ROOT).with(names.stream().map(Setting::section).toList());
    }

    /** The one full key named {@code name} in any declared section: a key written in the wrong section. */
    private static Optional<String> elsewhere(String name) {
        Set<String> found = new LinkedHashSet<>();
        for (Section section : SECTIONS) {
            for (Setting<?> setting : section.settings()) {
                String key = setting.key();
                if (key.equals(name) || key.endsWith("." + name)) {
                    found.add(section.path() + "." + key);
                }
            }
        }
        return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
    }

    /** A top-level key of the user's file that belongs under {@code pgcdc}. */
    private static void outsideTheRoot(Config user, Problems problems) {
        Set<String> known = new TreeSet<>();
        for (Section section : SECTIONS) {
            String rest = section.path().substring(ROOT.length() + 1);
            known.add(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
        }
        for (String key : new TreeSet<>(user.root().keySet())) {
            if (!key.equals(ROOT) && known.contains(key)) {
                String description = user.root().get(key).origin().description();
                problems.add(key + " (" + (description == null ? "unknown origin" : description) + ") is outside the pgcdc root; write it as pgcdc."
                        + key + " or inside pgcdc { ... }");
            }
        }
    }

    private static PluginConfig sinkSection(PluginConfig root, String sinkName) {
        if (!KAFKA_SINK.equals(sinkName)) {
            return root.section("sink").section(sinkName);
        }
        String slotName = PostgresSections.SLOT.read(root.section("slot"), new Problems()).get(PostgresSections.SLOT_NAME);
        PluginConfig kafka = root.section("kafka");
        // exactly-once fences zombies by transactional.id; one per slot is what makes that work
        return slotName == null ? kafka : kafka.withDefault(KafkaSections.TRANSACTIONAL_ID.key(), "pgcdc-" + slotName);
    }

    /**
     * What the snapshot needs of the other sections: for {@code initial}, listed tables must be
     * published; exactly-once is not combined with a snapshot yet (several instances would fence each
     * other's transactional producer, and a chunk read again would be written again).
     */
    private static void checkSnapshot(SnapshotSections.Configured snapshot, PostgresSourceSettings postgres, AppSettings app,
            PluginConfig sinkSection, Problems problems) {
        if (snapshot.mode() == SnapshotSettings.Mode.NEVER) {
            return;
        }
        if (KAFKA_SINK.equals(app.sinkName()) && Boolean.TRUE.equals(problems.collect(() -> KafkaSinkSettings.from(sinkSection).exactlyOnce()))) {
            problems.add("pgcdc.snapshot.mode = " + snapshot.mode().name().toLowerCase(java.util.Locale.ROOT)
                    + " cannot be combined with pgcdc.kafka.exactly-once = true in this version: the snapshot writes at least once;"
                    + " take the snapshot with exactly-once off, then turn it on");
        }
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

    private static void checkHandler(PluginCatalog catalog, String name, PluginConfig section, Problems problems) {
        ChangeHandlerProvider provider = catalog.handlers().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.handlers(), name, "pgcdc.handler.name", "handler"));
            return;
        }
        // handlers are cheap to make and hold nothing external before use: make one to have it check its section
        problems.collect(() -> {
            try (ChangeHandler handler = provider.create(section)) {
                return handler;
            }
        });
    }

    private static void checkSink(PluginCatalog catalog, AppSettings app, PluginConfig root, PluginConfig section, Problems problems) {
        String name = app.sinkName();
        SinkProvider provider = catalog.sinks().get(name);
        if (provider == null) {
            problems.add(PluginCatalog.unknownName(catalog.sinks(), name, "pgcdc.sink.name", "sink"));
            return;
        }
        if (!KAFKA_SINK.equals(name)) {
            problems.collect(() -> {
                try (Sink sink = provider.create(section)) {
                    return sink;
                }
            });
            return;
        }
        // the Kafka sink's settings are all it checks before start
        problems.collect(() -> KafkaSinkSettings.from(section));
        if (JSON_HANDLER.equals(app.handlerName())) {
            checkTopicMapping(root, section, problems);
        }
    }

    /**
     * The json handler writes each table to its mapped topic: every captured table needs one, and a
     * publication for all tables with none listed needs a mapping to say which. Read on its own, so a
     * problem elsewhere in the source's or the sink's settings never skips it.
     */
    private static void checkTopicMapping(PluginConfig root, PluginConfig kafka, Problems problems) {
        Problems ignored = new Problems();
        Map<TableId, String> mapping = KafkaSections.SECTION.read(kafka, ignored).get(KafkaSections.TABLE_TOPIC_MAPPING);
        var publication = PostgresSections.PUBLICATION.read(root.section("publication"), ignored);
        String mappingKey = kafka.path(KafkaSections.TABLE_TOPIC_MAPPING.key());
        String tablesKey = publication.path(PostgresSections.TABLES);
        if (ignored.list().stream().anyMatch(p -> p.startsWith(mappingKey) || p.startsWith(tablesKey))) {
            return; // the mapping or the table list is bad, and reported as such
        }
        List<TableId> tables = publication.get(PostgresSections.TABLES).stream().map(TableSettings::table).toList();
        KafkaSinkSettings.unmappedTables(mapping, tables).forEach(problems::add);
        if (tables.isEmpty() && publication.get(PostgresSections.ALL_TABLES) && mapping.isEmpty()) {
            problems.add(mappingKey + " is empty, but " + publication.path(PostgresSections.ALL_TABLES) + " = true captures every table"
                    + " and the json handler writes each table to its mapped topic; map the tables to capture (\"public.users\" = \"<topic>\")");
        }
    }
}
