package dev.pgcdc.it.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record the service wrote, as a consumer sees it: key and value parsed as JSON (the json
 * handler's {@code pgcdc} envelope: {@code {"op","before","after","source":{...},"tsMs"}}).
 *
 * @param partition the partition
 * @param offset    the offset in it
 * @param key       the key document (the primary key columns), null when the record has none
 * @param value     the value document, null for a tombstone
 */
public record ChangeRecord(int partition, long offset, JsonNode key, JsonNode value) {

    static final ObjectMapper JSON = new ObjectMapper();

    static ChangeRecord of(ConsumerRecord<String, String> record) {
        return new ChangeRecord(record.partition(), record.offset(), parse(record.key()), parse(record.value()));
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

    /** The key rendered compactly, e.g. {@code {"id":7}}, for grouping. */
    public String keyText() {
        return key == null ? null : key.toString();
    }
}
