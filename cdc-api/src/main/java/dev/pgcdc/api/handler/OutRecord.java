package dev.pgcdc.api.handler;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A record for the sink, made by a {@link ChangeHandler} from a change event.
 *
 * @param topic   destination topic, or {@code null} for the topic mapped to the event's table
 * @param key     key bytes, or {@code null}
 * @param value   value bytes, or {@code null} (a tombstone)
 * @param headers headers, possibly empty
 */
public record OutRecord(String topic, byte[] key, byte[] value, List<RecordHeader> headers) {

    public OutRecord {
        headers = headers == null ? List.of() : headers;
    }

    /** A record for the mapped topic without headers. */
    public static OutRecord of(byte[] key, byte[] value) {
        return new OutRecord(null, key, value, List.of());
    }

    /** Key plus value length plus header bytes: what in-flight byte bounds count. */
    public int sizeInBytes() {
        int size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        for (int i = 0; i < headers.size(); i++) { // no iterator: this runs for every record
            RecordHeader header = headers.get(i);
            size += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof OutRecord r && Objects.equals(topic, r.topic) && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value) && headers.equals(r.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, Arrays.hashCode(key), Arrays.hashCode(value), headers);
    }

    @Override
    public String toString() {
        return "OutRecord[topic=" + topic + ", key=" + (key == null ? "null" : new String(key, java.nio.charset.StandardCharsets.UTF_8))
                + ", valueBytes=" + (value == null ? "null" : value.length) + ", headers=" + headers + "]";
    }
}
