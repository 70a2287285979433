package dev.pgcdc.api.event;

import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of a {@link Operation#MESSAGE} event, written by {@code pg_logical_emit_message}.
 *
 * @param prefix        the message prefix
 * @param content       the message bytes (not copied)
 * @param transactional whether it was emitted inside a transaction (and so delivered at its commit)
 */
public record LogicalMessage(String prefix, byte[] content, boolean transactional) {

    public LogicalMessage {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(content, "content");
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LogicalMessage m && prefix.equals(m.prefix) && Arrays.equals(content, m.content) && transactional == m.transactional;
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, Arrays.hashCode(content), transactional);
    }

    @Override
    public String toString() {
        return "LogicalMessage[prefix=" + prefix + ", bytes=" + content.length + ", transactional=" + transactional + "]";
    }
}
