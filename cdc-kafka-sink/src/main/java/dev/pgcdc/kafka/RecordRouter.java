package dev.pgcdc.kafka;

import dev.pgcdc.api.SinkException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Turns a handler's {@link OutRecord} into the {@link ProducerRecord} kafka-clients sends: the
 * record's own topic, or the topic mapped to the event's table. Used on the pipeline thread only
 * (it caches the last table's topic, as consecutive events are mostly of one table).
 */
final class RecordRouter {

    private final Map<TableId, String> mapping;
    private TableId lastTable;
    private String lastTopic;

    RecordRouter(Map<TableId, String> mapping) {
        this.mapping = mapping;
    }

    /** The topic of {@code record}; a {@link SinkException} when it has none and its table is not mapped. */
    String topicOf(ChangeEvent event, OutRecord record) {
        if (record.topic() != null) {
            return record.topic();
        }
        TableId table = event.table();
        if (table == lastTable) {
            return lastTopic;
        }
        String topic = table == null ? null : mapping.get(table);
        if (topic == null) {
            throw new SinkException(table == null
                    ? "a record of " + SinkErrors.describe(event) + " has no topic and the event has no table to map: the handler must set the topic"
                    : "no topic for table " + table + " (" + SinkErrors.describe(event) + "): add \"" + table
                    + "\" = \"<topic>\" to pgcdc.kafka.table-topic-mapping");
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
