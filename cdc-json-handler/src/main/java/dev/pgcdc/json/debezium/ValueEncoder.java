package dev.pgcdc.json.debezium;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.json.IsoTime;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Writes column values in Debezium's encodings ({@link FieldEncoding.Kind}) as Kafka Connect's
 * JsonConverter writes them: Decimal and bytes as base64, logical times as numbers since the epoch or
 * midnight, zoned times as ISO-8601 text in UTC. Not thread-safe; one per envelope writer.
 */
final class ValueEncoder {

    /** The unscaled value of a zero Decimal, as Connect writes it: one zero byte. */
    private static final byte[] ZERO_UNSCALED = {0};
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Debezium's MicroDuration counts a month as the average Gregorian month. */
    private static final double DAYS_PER_MONTH_AVG = 365.25 / 12.0d;
    private static final long NANOS_PER_DAY = 86_400_000_000_000L;
    private static final DateTimeFormatter[] ZONED_TIMESTAMP = new DateTimeFormatter[10];

    static {
        ZONED_TIMESTAMP[0] = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
        for (int width = 1; width <= 9; width++) {
            ZONED_TIMESTAMP[width] = new DateTimeFormatterBuilder()
                    .append(DateTimeFormatter.ISO_LOCAL_DATE)
                    .appendLiteral('T')
                    .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
                    .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
                    .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
                    .appendFraction(ChronoField.NANO_OF_SECOND, width, width, true)
                    .appendOffsetId()
                    .toFormatter(Locale.ENGLISH);
        }
    }

    private final String unchangedToastPlaceholder;
    private final char[] scratch = new char[IsoTime.MAX_LENGTH];

    ValueEncoder(String unchangedToastPlaceholder) {
        this.unchangedToastPlaceholder = unchangedToastPlaceholder;
    }

    void write(JsonGenerator g, FieldEncoding encoding, Object value, String column) throws IOException {
        if (value == null) {
            g.writeNull();
            return;
        }
        if (value == UnchangedToast.INSTANCE) {
            writeUnchangedToast(g, encoding);
            return;
        }
        switch (encoding.kind()) {
            case STRING -> g.writeString(value.toString());
            case INT32, INT16 -> g.writeNumber(((Number) value).intValue());
            case INT64 -> g.writeNumber(((Number) value).longValue());
            case BOOLEAN -> g.writeBoolean((Boolean) value);
            case FLOAT32 -> writeFloat(g, ((Number) value).floatValue());
            case FLOAT64 -> writeDouble(g, ((Number) value).doubleValue());
            case DECIMAL -> writeDecimal(g, encoding, value, column);
            case VARIABLE_SCALE_DECIMAL -> writeVariableScaleDecimal(g, value, column);
            case DECIMAL_DOUBLE -> {
                if (value instanceof BigDecimal decimal) {
                    writeDouble(g, decimal.doubleValue());
                } else {
                    g.writeString(value.toString()); // NaN, Infinity, -Infinity
                }
            }
            case DECIMAL_STRING -> g.writeString(value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString());
            case BYTES -> g.writeBinary((byte[]) value);
            case BYTES_HEX -> g.writeString(hex((byte[]) value));
            case BITS -> g.writeBinary(bits(value.toString()));
            case BIT_BOOLEAN -> g.writeBoolean(value.toString().indexOf('1') >= 0);
            case DATE_DAYS -> {
                if (value instanceof LocalDate date) {
                    g.writeNumber((int) date.toEpochDay());
                } else {
                    g.writeNull(); // infinity: no day number stands for it
                }
            }
            case TIME_MILLIS -> g.writeNumber((int) (nanoOfDay((LocalTime) value) / 1_000_000));
            case TIME_MICROS -> g.writeNumber(nanoOfDay((LocalTime) value) / 1_000);
            case TIMESTAMP_MILLIS, TIMESTAMP_MICROS -> writeTimestamp(g, encoding.kind() == FieldEncoding.Kind.TIMESTAMP_MICROS, value);
            case ZONED_TIMESTAMP -> {
                if (value instanceof Instant instant) {
                    writeZonedTimestamp(g, instant, Math.min(encoding.width(), 9));
                } else {
                    g.writeString(value.toString()); // infinity, -infinity: as Debezium
                }
            }
            case ZONED_TIME -> g.writeString(DateTimeFormatter.ISO_OFFSET_TIME.format(((OffsetTime) value).withOffsetSameInstant(ZoneOffset.UTC)));
            case INTERVAL_MICROS -> {
                if (value instanceof Interval interval) {
                    g.writeNumber(micros(interval));
                } else {
                    g.writeNull();
                }
            }
            case INTERVAL_STRING -> {
                if (value instanceof Interval interval) {
                    g.writeString(isoString(interval));
                } else {
                    g.writeNull();
                }
            }
            case HSTORE_JSON -> g.writeString(HstoreText.toJson(value.toString(), column));
            case HSTORE_MAP -> HstoreText.writeObject(g, value.toString(), column);
            case POINT -> writePoint(g, value.toString(), column);
            case ARRAY -> {
                List<?> list = (List<?>) value;
                g.writeStartArray();
                for (Object element : list) {
                    write(g, encoding.element(), element, column);
                }
                g.writeEndArray();
            }
            default -> throw new IllegalStateException("no encoding for " + encoding.kind());
        }
    }

    /**
     * The value Debezium writes for a required (NOT NULL) field an image lacks, e.g. a non-key column in the
     * {@code before} of a delete under the default replica identity: its converters' fallback for a null.
     */
    void writeFallback(JsonGenerator g, FieldEncoding encoding) throws IOException {
        switch (encoding.kind()) {
            case BOOLEAN, BIT_BOOLEAN -> g.writeBoolean(false);
            case INT16, INT32, DATE_DAYS, TIME_MILLIS -> g.writeNumber(0);
            case INT64, TIME_MICROS, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, INTERVAL_MICROS -> g.writeNumber(0L);
            case FLOAT32, FLOAT64, DECIMAL_DOUBLE -> g.writeNumber(0.0d);
            case DECIMAL -> g.writeBinary(ZERO_UNSCALED);
            case VARIABLE_SCALE_DECIMAL -> {
                g.writeStartObject();
                g.writeNumberField("scale", 0);
                g.writeFieldName("value");
                g.writeBinary(ZERO_UNSCALED);
                g.writeEndObject();
            }
            case BYTES, BITS -> g.writeBinary(new byte[0]);
            case ZONED_TIMESTAMP -> g.writeString("1970-01-01T00:00:00Z");
            case ZONED_TIME -> g.writeString("00:00:00Z");
            case ARRAY -> {
                g.writeStartArray();
                g.writeEndArray();
            }
            case HSTORE_MAP -> {
                g.writeStartObject();
                g.writeEndObject();
            }
            case POINT -> writePoint(g, "(0,0)", "");
            default -> g.writeString("");
        }
    }

    /** Without a formatter for the years 0000-9999 (nearly every value; a timestamptz is in most rows). */
    private void writeZonedTimestamp(JsonGenerator g, Instant instant, int width) throws IOException {
        int length = width == 0 ? -1 : IsoTime.instant(instant, width, scratch);
        if (length < 0) {
            g.writeString(ZONED_TIMESTAMP[width].format(instant.atOffset(ZoneOffset.UTC)));
        } else {
            g.writeString(scratch, 0, length);
        }
    }

    /**
     * An unchanged TOAST value as Debezium's {@code unavailable.value.placeholder}, in the column's own type:
     * the text, its bytes for bytea, a one-element array for text, json, bytea and uuid arrays (the uuid
     * named from the bytes), its bytes as numbers for integer, date and bigint arrays, a one-pair map for hstore.
     */
    private void writeUnchangedToast(JsonGenerator g, FieldEncoding encoding) throws IOException {
        byte[] bytes = unchangedToastPlaceholder.getBytes(StandardCharsets.UTF_8);
        switch (encoding.kind()) {
            case BYTES -> g.writeBinary(bytes);
            case BYTES_HEX -> g.writeString(hex(bytes));
            case HSTORE_JSON -> g.writeString(HstoreText.toJson("\"" + hstoreQuoted() + "\"=>\"" + hstoreQuoted() + "\"", "placeholder"));
            case HSTORE_MAP -> {
                g.writeStartObject();
                g.writeStringField(unchangedToastPlaceholder, unchangedToastPlaceholder);
                g.writeEndObject();
            }
            case ARRAY -> {
                FieldEncoding element = encoding.element();
                g.writeStartArray();
                switch (element.kind()) {
                    case INT32, DATE_DAYS, INT64 -> {
                        for (byte b : bytes) {
                            g.writeNumber(b);
                        }
                    }
                    case BYTES -> g.writeBinary(bytes);
                    default -> g.writeString("io.debezium.data.Uuid".equals(element.schema().name())
                            ? UUID.nameUUIDFromBytes(bytes).toString() : unchangedToastPlaceholder);
                }
                g.writeEndArray();
            }
            default -> g.writeString(unchangedToastPlaceholder);
        }
    }

    private String hstoreQuoted() {
        return unchangedToastPlaceholder.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** A point's text {@code (x,y)} as Debezium's Point: x, y, and the OGC WKB of the point (little-endian), no SRID. */
    private static void writePoint(JsonGenerator g, String text, String column) throws IOException {
        int comma = text.indexOf(',');
        if (!text.startsWith("(") || !text.endsWith(")") || comma < 0) {
            throw new IllegalArgumentException("column \"" + column + "\" is not point text: " + text);
        }
        double x = Double.parseDouble(text.substring(1, comma));
        double y = Double.parseDouble(text.substring(comma + 1, text.length() - 1));
        ByteBuffer wkb = ByteBuffer.allocate(21);
        wkb.put((byte) 1); // byte order: little-endian
        wkb.order(ByteOrder.LITTLE_ENDIAN);
        wkb.putInt(1); // geometry type: point
        wkb.putDouble(x);
        wkb.putDouble(y);
        g.writeStartObject();
        g.writeFieldName("x");
        writeDouble(g, x);
        g.writeFieldName("y");
        writeDouble(g, y);
        g.writeFieldName("wkb");
        g.writeBinary(wkb.array());
        g.writeFieldName("srid");
        g.writeNull();
        g.writeEndObject();
    }

    /** The source gives {@code time '24:00:00'} as {@link LocalTime#MAX}; Debezium writes it as a whole day. */
    private static long nanoOfDay(LocalTime time) {
        return time == LocalTime.MAX ? NANOS_PER_DAY : time.toNanoOfDay();
    }

    private static void writeFloat(JsonGenerator g, float number) throws IOException {
        if (Float.isNaN(number) || Float.isInfinite(number)) {
            writeDouble(g, number);
        } else {
            g.writeNumber(number);
        }
    }

    /** NaN and the infinities as the strings Jackson (and so Connect's JsonConverter) writes for them. */
    private static void writeDouble(JsonGenerator g, double number) throws IOException {
        if (Double.isNaN(number)) {
            g.writeString("NaN");
        } else if (Double.isInfinite(number)) {
            g.writeString(number > 0 ? "Infinity" : "-Infinity");
        } else {
            g.writeNumber(number);
        }
    }

    private static void writeDecimal(JsonGenerator g, FieldEncoding encoding, Object value, String column) throws IOException {
        BigDecimal decimal = decimal(value, column);
        g.writeBinary(decimal.setScale(encoding.scale(), RoundingMode.HALF_UP).unscaledValue().toByteArray());
    }

    private static void writeVariableScaleDecimal(JsonGenerator g, Object value, String column) throws IOException {
        BigDecimal decimal = decimal(value, column).stripTrailingZeros();
        if (decimal.scale() < 0) {
            decimal = decimal.setScale(0);
        }
        g.writeStartObject();
        g.writeNumberField("scale", decimal.scale());
        g.writeFieldName("value");
        g.writeBinary(decimal.unscaledValue().toByteArray());
        g.writeEndObject();
    }

    private static BigDecimal decimal(Object value, String column) {
        if (value instanceof BigDecimal decimal) {
            return decimal;
        }
        if (value instanceof SpecialValue special) {
            throw new IllegalArgumentException("column \"" + column + "\" holds " + special.text() + ", which decimal.handling.mode = precise cannot"
                    + " express (as in Debezium); set pgcdc.handler.json.debezium.decimal.handling.mode = string to keep it");
        }
        return new BigDecimal(value.toString());
    }

    private static void writeTimestamp(JsonGenerator g, boolean micros, Object value) throws IOException {
        if (!(value instanceof LocalDateTime dateTime)) {
            g.writeNull(); // infinity
            return;
        }
        long seconds = dateTime.toEpochSecond(ZoneOffset.UTC);
        int nanos = dateTime.getNano();
        g.writeNumber(micros ? seconds * 1_000_000 + nanos / 1_000 : seconds * 1_000 + nanos / 1_000_000);
    }

    /** Debezium's MicroDuration: years and months at 365.25/12 days a month, in double arithmetic as Debezium computes it. */
    static long micros(Interval interval) {
        Parts parts = Parts.of(interval);
        double days = (parts.years * 12 + parts.months) * DAYS_PER_MONTH_AVG + parts.days;
        double seconds = ((days * 24 + parts.hours) * 60 + parts.minutes) * 60 + parts.seconds.doubleValue();
        return (long) (seconds * 1e6);
    }

    /** Debezium's io.debezium.time.Interval text: every part written, {@code P1Y2M3DT4H5M6.5S}. */
    static String isoString(Interval interval) {
        Parts parts = Parts.of(interval);
        BigDecimal seconds = parts.seconds.stripTrailingZeros();
        return "P" + parts.years + "Y" + parts.months + "M" + parts.days + "DT" + parts.hours + "H" + parts.minutes + "M"
                + (seconds.signum() == 0 ? "0" : seconds.toPlainString()) + "S";
    }

    /** An interval split as PostgreSQL (and pgjdbc's PGInterval) splits it: years, months, days, hours, minutes, seconds. */
    private record Parts(int years, int months, int days, long hours, long minutes, BigDecimal seconds) {
        static Parts of(Interval interval) {
            long micros = interval.microseconds();
            return new Parts(interval.months() / 12, interval.months() % 12, interval.days(), micros / 3_600_000_000L,
                    micros % 3_600_000_000L / 60_000_000L, BigDecimal.valueOf(micros % 60_000_000L, 6));
        }
    }

    private static String hex(byte[] bytes) {
        char[] text = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            text[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            text[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(text);
    }

    /** A bit string as Debezium's Bits: the last character is bit 0, bytes little-endian, as many as the highest set bit needs. */
    static byte[] bits(String text) {
        int length = text.length();
        int highest = -1;
        for (int bit = 0; bit < length; bit++) {
            if (text.charAt(length - 1 - bit) == '1') {
                highest = bit;
            }
        }
        byte[] bytes = new byte[(highest + 8) / 8];
        for (int bit = 0; bit <= highest; bit++) {
            if (text.charAt(length - 1 - bit) == '1') {
                bytes[bit / 8] |= (byte) (1 << (bit % 8));
            }
        }
        return bytes;
    }
}
