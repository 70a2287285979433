package dev.pgcdc.api.handler;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record header.
 *
 * @param key   header name
 * @param value header bytes, or {@code null}
 */
public record RecordHeader(String key, byte[] value) {

    public RecordHeader {
        Objects.requireNonNull(key, "key");
    }

    public static RecordHeader of(String key, String value) {
        return new RecordHeader(key, value == null ? null : value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RecordHeader h && key.equals(h.key) && Arrays.equals(value, h.value);
    }

    @Override
    public int hashCode() {
        return 31 * key.hashCode() + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return key + "=" + (value == null ? "null" : new String(value, java.nio.charset.StandardCharsets.UTF_8));
    }
}
