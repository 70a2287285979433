package dev.pgcdc.it.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pgcdc.api.position.Position;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * One record the service wrote, as a consumer sees it: key and value parsed as JSON (the json
 * handler's {@code pgcdc} envelope: {@code {"op","before","after","source":{...},"tsMs"}}).
 *
 * @param partition the partition
 * @param offset    the offset in it
 * @param key       the key document (the primary key columns), null when the record has none
 * @param value     the value document, null for a tombstone
 * @param headers   the record's headers as UTF-8 text (with {@code handler.json.headers = true}: {@code pgcdc.op},
 *                  {@code pgcdc.table}, {@code pgcdc.position}), in order, the last of a repeated name winning
 */
public record ChangeRecord(int partition, long offset, JsonNode key, JsonNode value, Map<String, String> headers) {

    /** The header that carries the event's stream position, {@code <commit LSN>#<sequence>}. */
    public static final String POSITION_HEADER = "pgcdc.position";

    static final ObjectMapper JSON = new ObjectMapper();

    static ChangeRecord of(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
        }
        return new ChangeRecord(record.partition(), record.offset(), parse(record.key()), parse(record.value()),
                Collections.unmodifiableMap(headers));
    }

    /** A JSON text as a tree; null for null. */
    public static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    /** {@code c}, {@code u}, {@code d}... */
    public String op() {
        return value.path("op").asText();
    }

    public JsonNode before() {
        return value.get("before");
    }

    public JsonNode after() {
        return value.get("after");
    }

    public JsonNode source() {
        return value.get("source");
    }

    /** The row image that identifies the row: {@code after}, or {@code before} for a delete. */
    public JsonNode row() {
        JsonNode after = after();
        return after == null || after.isNull() ? before() : after;
    }

    /**
     * The event's stream position, from the {@code pgcdc.position} header: its commit LSN is the LSN of
     * the transaction's commit record, which a slot's {@code confirmed_flush_lsn} must not pass while
     * Kafka lacks the record. Fails when the service was not configured with {@code handler.json.headers = true}.
     */
    public Position position() {
        String text = headers.get(POSITION_HEADER);
        if (text == null) {
            throw new AssertionError("record " + partition + "@" + offset + " has no " + POSITION_HEADER
                    + " header; configure the service with pgcdc.handler.json.headers = true");
        }
        return Position.parse(text);
    }

    /** The key rendered compactly, e.g. {@code {"id":7}}, for grouping. */
    public String keyText() {
        return key == null ? null : key.toString();
    }
}
