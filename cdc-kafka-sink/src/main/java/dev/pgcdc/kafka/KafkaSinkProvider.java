package dev.pgcdc.kafka;

import dev.pgcdc.api.config.Problems;
import dev.pgcdc.api.config.Section;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.plugin.PluginContext;
import dev.pgcdc.api.sink.Sink;
import dev.pgcdc.api.sink.SinkProvider;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    /** Exactly-once fences zombies by {@code transactional.id}; one per slot ({@code pgcdc-<slot>}) is what makes that work. */
    @Override
    public PluginConfig resolve(PluginContext context) {
        PluginConfig config = context.config();
        return context.pipelineName() == null ? config : config.withDefault(KafkaSections.TRANSACTIONAL_ID.key(), "pgcdc-" + context.pipelineName());
    }

    /** The section's settings, and when the handler leaves topics to the sink, a topic for every captured table. */
    @Override
    public void validate(PluginContext context, Problems problems) {
        PluginConfig config = resolve(context);
        problems.collect(() -> KafkaSinkSettings.from(config));
        if (context.handlerLeavesTopicsToSink()) {
            checkTopicMapping(config, context, problems);
        }
    }

    @Override
    public Sink create(PluginContext context) {
        return create(resolve(context));
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
    public List<String> warnings(PluginConfig config) {
        return KafkaSinkSettings.from(config).warnings();
    }

    @Override
    public Optional<String> exactlyOnceSetting(PluginConfig config) {
        Boolean on = KafkaSections.SECTION.read(config, new Problems()).get(KafkaSections.EXACTLY_ONCE);
        return Boolean.TRUE.equals(on) ? Optional.of(config.path(KafkaSections.EXACTLY_ONCE.key()) + " = true") : Optional.empty();
    }

    /**
     * The json handler writes each table to its mapped topic: every captured table needs one, and a
     * publication for all tables with none listed needs a mapping to say which. Read on its own, so a
     * problem elsewhere in the sink's settings never skips it.
     */
    private static void checkTopicMapping(PluginConfig kafka, PluginContext context, Problems problems) {
        Problems ignored = new Problems();
        Map<TableId, String> mapping = KafkaSections.SECTION.read(kafka, ignored).get(KafkaSections.TABLE_TOPIC_MAPPING);
        String mappingKey = kafka.path(KafkaSections.TABLE_TOPIC_MAPPING.key());
        if (ignored.list().stream().anyMatch(p -> p.startsWith(mappingKey))) {
            return; // the mapping is bad, and reported as such
        }
        KafkaSinkSettings.unmappedTables(mapping, context.tables()).forEach(problems::add);
        if (context.tables().isEmpty() && context.allTables() && mapping.isEmpty()) {
            problems.add(mappingKey + " is empty, but pgcdc.publication.all-tables = true captures every table"
                    + " and the json handler writes each table to its mapped topic; map the tables to capture (\"public.users\" = \"<topic>\")");
        }
    }
}
