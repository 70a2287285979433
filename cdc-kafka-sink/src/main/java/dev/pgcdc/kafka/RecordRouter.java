package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns a handler's {@link OutRecord} into the {@link ProducerRecord} kafka-clients sends: the
 * record's own topic, or its table's ({@link TopicNames}: mapped, or named by the pattern). A topic
 * named by the pattern is checked to exist ({@link TopicCheck}) before the first record of its table
 * goes to it. Used on the pipeline thread only (it caches each table's topic, and the last one, as
 * consecutive events are mostly of one table).
 */
final class RecordRouter {

    private final TopicNames names;
    private final TopicCheck topics;
    private final Map<TableId, String> checked = new HashMap<>();
    private TableId lastTable;
    private String lastTopic;

    RecordRouter(TopicNames names, TopicCheck topics) {
        this.names = names;
        this.topics = topics;
    }

    /** Routes by {@code mapping} alone (tests). */
    RecordRouter(Map<TableId, String> mapping) {
        this(new TopicNames(mapping, null, null), (topic, usedFor) -> { });
    }

    /** The topic of {@code record}; a {@link SinkException} when it has none and its table has no topic, or that topic is missing. */
    String topicOf(ChangeEvent event, OutRecord record) {
        if (record.topic() != null) {
            return record.topic();
        }
        TableId table = event.table();
        if (table == lastTable) {
            return lastTopic;
        }
        String topic = table == null ? null : checked.get(table);
        if (topic == null) {
            topic = table == null ? null : names.topicOf(table);
            if (topic == null) {
                throw new SinkException(table == null
                        ? "a record of " + SinkErrors.describe(event) + " has no topic and the event has no table to map: the handler must set the topic"
                        : "no topic for table " + table + " (" + SinkErrors.describe(event) + "): add \"" + table
                        + "\" = \"<topic>\" to pgcdc.kafka.table-topic-mapping or set pgcdc.kafka.topic-pattern");
            }
            if (names.fromPattern(table)) {
                topics.requireTopic(topic, "named by pgcdc.kafka.topic-pattern for table " + table);
            }
            checked.put(table, topic);
        }
        lastTable = table;
        lastTopic = topic;
        return topic;
    }

    static ProducerRecord<byte[], byte[]> toProducerRecord(String topic, OutRecord record) {
        return new ProducerRecord<>(topic, null, null, record.key(), record.value(), headers(record.headers()));
    }

    private static RecordHeaders headers(List<RecordHeader> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        Header[] converted = new Header[headers.size()];
        for (int i = 0; i < converted.length; i++) {
            RecordHeader header = headers.get(i);
            converted[i] = new org.apache.kafka.common.header.internals.RecordHeader(header.key(), header.value());
        }
        return new RecordHeaders(converted);
    }
}
