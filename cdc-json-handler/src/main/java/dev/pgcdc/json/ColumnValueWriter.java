package dev.pgcdc.json;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import dev.pgcdc.api.value.UnchangedToast;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.util.List;
import java.util.UUID;

/**
 * Renders one column value (the Java types listed on {@link dev.pgcdc.api.event.Row}) losslessly:
 * <ul>
 *   <li>booleans, {@code int2}/{@code int4}/{@code int8}/{@code oid} as JSON numbers and booleans;</li>
 *   <li>{@code float4}/{@code float8} as numbers, NaN and the infinities as the strings
 *       {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"};</li>
 *   <li>{@code numeric}/{@code money} ({@link BigDecimal}) as a string of all its digits, never
 *       exponent notation or a double; numeric NaN and infinities ({@link SpecialValue}) as their text, {@code "NaN"},
 *       {@code "Infinity"}, {@code "-Infinity"};</li>
 *   <li>{@code bytea} as base64 (standard alphabet, padded);</li>
 *   <li>{@code timestamptz} as {@code 2024-03-01T12:30:05.123456Z}, {@code timestamp} without the
 *       {@code Z}, {@code date}, {@code time} and {@code timetz} in ISO-8601, {@code interval} as an
 *       ISO-8601 duration, their infinities as PostgreSQL spells them, {@code "infinity"}/{@code "-infinity"};</li>
 *   <li>{@code uuid} and every text-like type as strings; arrays as JSON arrays (nested for more
 *       dimensions, nulls kept);</li>
 *   <li>an unchanged TOAST value as the configured placeholder string; SQL NULL as {@code null}.</li>
 * </ul>
 * Not thread-safe; part of one {@link EventJsonWriter}.
 */
final class ColumnValueWriter {

    private final JsonGenerator generator;
    private final String unchangedToastPlaceholder;
    private final char[] scratch;
    private final byte[] timeBytes = new byte[IsoTime.MAX_LENGTH];

    ColumnValueWriter(JsonGenerator generator, String unchangedToastPlaceholder, char[] scratch) {
        this.generator = generator;
        this.unchangedToastPlaceholder = unchangedToastPlaceholder;
        this.scratch = scratch;
    }

    void write(Object value) throws IOException {
        // most frequent types first
        if (value == null) {
            generator.writeNull();
        } else if (value instanceof String text) {
            generator.writeString(text);
        } else if (value instanceof Integer number) {
            generator.writeNumber(number.intValue());
        } else if (value instanceof Long number) {
            generator.writeNumber(number.longValue());
        } else if (value instanceof Instant instant) {
            writeTime(IsoTime.instant(instant, scratch), value);
        } else if (value instanceof BigDecimal decimal) {
            generator.writeString(decimal.toPlainString());
        } else if (value instanceof Boolean bool) {
            generator.writeBoolean(bool);
        } else if (value instanceof LocalDateTime dateTime) {
            writeTime(IsoTime.localDateTime(dateTime, scratch), value);
        } else if (value == UnchangedToast.INSTANCE) {
            generator.writeString(unchangedToastPlaceholder);
        } else if (value instanceof Double number) {
            writeDouble(number);
        } else if (value instanceof byte[] bytes) {
            generator.writeBinary(bytes);
        } else if (value instanceof UUID uuid) {
            generator.writeString(uuid.toString());
        } else if (value instanceof LocalDate date) {
            writeTime(IsoTime.localDate(date, scratch), value);
        } else if (value instanceof List<?> list) {
            generator.writeStartArray();
            for (int i = 0; i < list.size(); i++) {
                write(list.get(i));
            }
            generator.writeEndArray();
        } else {
            writeRare(value);
        }
    }

    private void writeRare(Object value) throws IOException {
        if (value instanceof Float number) {
            float f = number;
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                writeDouble((double) f);
            } else {
                generator.writeNumber(f);
            }
        } else if (value instanceof Short number) {
            generator.writeNumber(number.shortValue());
        } else if (value instanceof LocalTime time) {
            writeTime(IsoTime.localTime(time, scratch), value);
        } else if (value instanceof OffsetTime time) {
            writeTime(IsoTime.offsetTime(time, scratch), value);
        } else if (value instanceof SpecialValue special) {
            generator.writeString(special.text());
        } else if (value instanceof Interval interval) {
            generator.writeString(interval.toString());
        } else if (value instanceof BigInteger integer) {
            generator.writeString(integer.toString());
        } else if (value instanceof Byte number) {
            generator.writeNumber(number.intValue());
        } else {
            // enums, ranges, network types and extension types arrive as text already; anything else by its text
            generator.writeString(value.toString());
        }
    }

    private void writeDouble(double number) throws IOException {
        if (Double.isNaN(number)) {
            generator.writeString("NaN");
        } else if (Double.isInfinite(number)) {
            generator.writeString(number > 0 ? "Infinity" : "-Infinity");
        } else {
            generator.writeNumber(number);
        }
    }

    /**
     * A formatted time, or the value's own text when {@link IsoTime} does not cover it (years outside
     * 0000-9999). {@link IsoTime} writes ASCII only (digits, {@code -:.TZ+}), which needs no escaping:
     * it goes out as raw UTF-8, without the generator's per-character escape checks.
     */
    private void writeTime(int length, Object value) throws IOException {
        if (length < 0) {
            generator.writeString(value.toString());
            return;
        }
        for (int i = 0; i < length; i++) {
            timeBytes[i] = (byte) scratch[i];
        }
        generator.writeRawUTF8String(timeBytes, 0, length);
    }
}
