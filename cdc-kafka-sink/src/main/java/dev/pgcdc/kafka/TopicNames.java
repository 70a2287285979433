package dev.pgcdc.kafka;

import dev.pgcdc.api.event.TableId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The topic of each table: its entry in {@code table-topic-mapping}, else {@code topic-pattern} with
 * {@code ${prefix}}, {@code ${schema}} and {@code ${table}} replaced (the pattern defaults to
 * {@value #DEBEZIUM_PATTERN} when there is a {@code topic-prefix}, as Debezium names topics from its
 * {@code topic.prefix}), else none. A schema or table name's characters that a topic name cannot hold
 * become {@code _} and a name longer than 249 characters is cut, as Debezium's topic naming does.
 * Immutable and thread-safe.
 */
public final class TopicNames {

    /** Debezium's topic names: {@code <topic.prefix>.<schema>.<table>}. */
    public static final String DEBEZIUM_PATTERN = "${prefix}.${schema}.${table}";
    static final String PREFIX = "${prefix}";
    static final String SCHEMA = "${schema}";
    static final String TABLE = "${table}";
    private static final int MAX_LENGTH = 249;

    private final Map<TableId, String> mapping;
    private final String pattern;

    /**
     * @param mapping {@code table-topic-mapping}
     * @param pattern {@code topic-pattern} as configured, or null
     * @param prefix  {@code topic-prefix}, or null
     */
    TopicNames(Map<TableId, String> mapping, String pattern, String prefix) {
        this.mapping = Map.copyOf(mapping);
        String effective = pattern != null ? pattern : prefix != null ? DEBEZIUM_PATTERN : null;
        this.pattern = effective == null || prefix == null ? effective : effective.replace(PREFIX, prefix);
    }

    /** The names of {@code settings}. */
    public static TopicNames of(KafkaSinkSettings settings) {
        return new TopicNames(settings.tableTopicMapping(), settings.topicPattern(), settings.topicPrefix());
    }

    /** The topic of {@code table}, or null when it is neither mapped nor named by a pattern. */
    public String topicOf(TableId table) {
        String mapped = mapping.get(table);
        return mapped != null || pattern == null ? mapped : derived(table);
    }

    /** Whether {@code table}'s topic comes from the pattern rather than {@code table-topic-mapping}. */
    boolean fromPattern(TableId table) {
        return pattern != null && !mapping.containsKey(table);
    }

    /** Whether there is a pattern: then every table has a topic. */
    public boolean hasPattern() {
        return pattern != null;
    }

    /** The topic of each of {@code tables} and of each mapped table, with the tables of each topic, in order. */
    Map<String, List<TableId>> tablesByTopic(Collection<TableId> tables) {
        Map<String, List<TableId>> byTopic = new LinkedHashMap<>();
        mapping.forEach((table, topic) -> byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(table));
        for (TableId table : tables) {
            String topic = topicOf(table);
            if (topic != null && fromPattern(table)) {
                byTopic.computeIfAbsent(topic, t -> new ArrayList<>()).add(table);
            }
        }
        return byTopic;
    }

    private String derived(TableId table) {
        String topic = pattern.replace(SCHEMA, sanitized(table.schema())).replace(TABLE, sanitized(table.name()));
        return topic.length() > MAX_LENGTH ? topic.substring(0, MAX_LENGTH) : topic;
    }

    private static String sanitized(String name) {
        StringBuilder text = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            text.append(isLegal(c) ? c : '_');
        }
        return text.toString();
    }

    static boolean isLegal(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-';
    }

    /**
     * Why {@code pattern} (with {@code prefix}, null when there is none) cannot name topics, or null when it can: an unknown
     * placeholder, {@code ${prefix}} without a prefix, a character a topic name cannot hold, or a pattern that names
     * every table's topic alike.
     */
    static String patternProblem(String pattern, String prefix) {
        if (pattern.isEmpty()) {
            return "must not be empty (leave it out to map each table in table-topic-mapping)";
        }
        String rest = pattern.replace(PREFIX, "").replace(SCHEMA, "").replace(TABLE, "");
        int placeholder = rest.indexOf("${");
        if (placeholder >= 0) {
            int end = rest.indexOf('}', placeholder);
            return "has the unknown placeholder " + rest.substring(placeholder, end < 0 ? rest.length() : end + 1)
                    + "; allowed: ${prefix}, ${schema}, ${table}";
        }
        if (!pattern.contains(TABLE)) {
            return "must contain ${table}, or every table would write to one topic (map such tables in table-topic-mapping)";
        }
        if (pattern.contains(PREFIX) && prefix == null) {
            return "uses ${prefix}, but there is no topic-prefix: set pgcdc.kafka.topic-prefix, or use a Debezium envelope"
                    + " (pgcdc.handler.json.envelope = debezium), whose debezium.name is the prefix";
        }
        for (char c : rest.toCharArray()) {
            if (!isLegal(c)) {
                return "has '" + c + "', which a topic name cannot hold; allowed: ASCII letters, digits, '.', '_', '-' and the placeholders";
            }
        }
        return null;
    }
}
