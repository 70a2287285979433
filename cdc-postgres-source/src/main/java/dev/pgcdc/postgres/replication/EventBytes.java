package dev.pgcdc.postgres.replication;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Row;
import java.util.List;

/**
 * An estimate of the heap a decoded event holds, for the hand-off's byte bound: its values' text and
 * bytes plus a fixed amount per event and per value. Deterministic (the hand-off adds an event's
 * estimate when it is offered and subtracts the same when it is taken) and cheap: one pass over the
 * values, no allocation. Text is counted at a byte per character, as the JVM stores Latin-1 strings;
 * other text takes twice that.
 */
final class EventBytes {

    /** The event, its position and LSNs, its lists of key columns: about this much whatever its rows. */
    static final int PER_EVENT = 160;
    private static final int PER_ROW = 16;
    /** The value's reference in the row's array (or a list's). */
    private static final int PER_VALUE = 4;
    /** A boxed number, a date or time: an object header and a field or two. */
    private static final int SCALAR = 24;
    private static final int STRING = 40;
    private static final int ARRAY = 16;

    private EventBytes() {
    }

    static long estimate(ChangeEvent event) {
        long bytes = PER_EVENT + row(event.before()) + row(event.after());
        if (event.message() != null) {
            bytes += ARRAY + event.message().content().length;
        }
        return bytes;
    }

    private static long row(Row row) {
        if (row == null) {
            return 0;
        }
        long bytes = PER_ROW;
        for (int i = 0; i < row.size(); i++) {
            bytes += PER_VALUE + value(row.value(i));
        }
        return bytes;
    }

    private static long value(Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof String text) {
            return STRING + text.length();
        }
        if (value instanceof byte[] data) {
            return ARRAY + data.length;
        }
        if (value instanceof List<?> elements) {
            long bytes = ARRAY;
            for (Object element : elements) {
                bytes += PER_VALUE + value(element);
            }
            return bytes;
        }
        return SCALAR;
    }
}
