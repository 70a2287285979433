package dev.pgcdc.kafka;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.config.Values;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code sink.name = kafka}: a {@link KafkaSink} from the section it declares, {@code pgcdc.kafka}.
 * Found by ServiceLoader. Stateless.
 */
public final class KafkaSinkProvider implements SinkProvider {

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Optional<Section> settings() {
        return Optional.of(KafkaSections.SECTION);
    }

    /**
     * Exactly-once fences zombies by {@code transactional.id}; one per slot ({@code pgcdc-<slot>}) is what makes that work.
     * The handler's topic prefix (the Debezium envelopes' {@code debezium.name}) is {@code topic-prefix}, so topics are
     * Debezium's {@code <prefix>.<schema>.<table>} unless {@code topic-pattern} or the mapping says otherwise.
     */
    @Override
    public PluginConfig resolve(PluginContext context) {
        PluginConfig config = context.config();
        if (context.handlerTopicPrefix() != null) {
            config = config.withDefault(KafkaSections.TOPIC_PREFIX.key(), context.handlerTopicPrefix());
        }
        return context.pipelineName() == null ? config : config.withDefault(KafkaSections.TRANSACTIONAL_ID.key(), "pgcdc-" + context.pipelineName());
    }

    /** The section's settings, and when the handler leaves topics to the sink, a topic for every captured table. */
    @Override
    public void validate(PluginContext context, Problems problems) {
        PluginConfig config = resolve(context);
        problems.collect(() -> KafkaSinkSettings.from(config));
        checkPrefix(config, context, problems);
        if (context.handlerLeavesTopicsToSink()) {
            checkTopicMapping(config, context, problems);
        }
    }

    @Override
    public Sink create(PluginContext context) {
        PluginConfig config = resolve(context);
        return new KafkaSink(KafkaSinkSettings.from(config), context.tables());
    }

    /** @param config the {@code pgcdc.kafka} section */
    @Override
    public Sink create(PluginConfig config) {
        return new KafkaSink(KafkaSinkSettings.from(config));
    }

    @Override
    public Map<TableId, String> tableTopics(PluginConfig config) {
        return KafkaSinkSettings.from(config).tableTopicMapping();
    }

    @Override
    public Function<TableId, String> topicOf(PluginConfig config) {
        return TopicNames.of(KafkaSinkSettings.from(config))::topicOf;
    }

    @Override
    public List<String> warnings(PluginConfig config) {
        return KafkaSinkSettings.from(config).warnings();
    }

    @Override
    public Optional<String> exactlyOnceSetting(PluginConfig config) {
        Boolean on = KafkaSections.SECTION.read(config, new Problems()).get(KafkaSections.EXACTLY_ONCE);
        return Boolean.TRUE.equals(on) ? Optional.of(config.path(KafkaSections.EXACTLY_ONCE.key()) + " = true") : Optional.empty();
    }

    /**
     * A {@code topic-prefix} written in the section that is not the handler's: the Debezium envelopes write
     * {@code debezium.name} as {@code source.name}, and Debezium's {@code topic.prefix} is both.
     */
    private static void checkPrefix(PluginConfig kafka, PluginContext context, Problems problems) {
        String written = KafkaSections.SECTION.read(context.config(), new Problems()).get(KafkaSections.TOPIC_PREFIX);
        if (context.handlerTopicPrefix() != null && written != null && !context.handlerTopicPrefix().equals(written)) {
            problems.add(kafka.path(KafkaSections.TOPIC_PREFIX.key()) + " = \"" + written + "\" differs from the handler's topic prefix \""
                    + context.handlerTopicPrefix() + "\" (pgcdc.handler.json.debezium.name, written as source.name): Debezium's"
                    + " topic.prefix is one setting, so leave " + KafkaSections.TOPIC_PREFIX.key() + " out and set debezium.name alone");
        }
    }

    /**
     * The json handler writes each table to its topic: every captured table needs one (mapped or from
     * the pattern), and a publication for all tables with none listed needs a mapping or a pattern to
     * say which. Read on its own, so a problem elsewhere in the sink's settings never skips it.
     */
    private static void checkTopicMapping(PluginConfig kafka, PluginContext context, Problems problems) {
        Problems ignored = new Problems();
        Values values = KafkaSections.SECTION.read(kafka, ignored);
        String mappingKey = kafka.path(KafkaSections.TABLE_TOPIC_MAPPING.key());
        String patternKey = kafka.path(KafkaSections.TOPIC_PATTERN.key());
        if (ignored.list().stream().anyMatch(p -> p.startsWith(mappingKey) || p.startsWith(patternKey))) {
            return; // the mapping or the pattern is bad, and reported as such
        }
        Map<TableId, String> mapping = values.get(KafkaSections.TABLE_TOPIC_MAPPING);
        TopicNames names = new TopicNames(mapping, values.get(KafkaSections.TOPIC_PATTERN), values.get(KafkaSections.TOPIC_PREFIX));
        KafkaSinkSettings.unmappedTables(names, context.tables()).forEach(problems::add);
        if (context.tables().isEmpty() && context.allTables() && mapping.isEmpty() && !names.hasPattern()) {
            problems.add(mappingKey + " is empty, but pgcdc.publication.all-tables = true captures every table"
                    + " and the json handler writes each table to its topic; map the tables to capture (\"public.users\" = \"<topic>\")"
                    + " or set " + patternKey + " (e.g. \"" + TopicNames.DEBEZIUM_PATTERN + "\")");
        }
    }
}
