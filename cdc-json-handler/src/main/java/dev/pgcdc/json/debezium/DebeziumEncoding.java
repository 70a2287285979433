package dev.pgcdc.json.debezium;

import java.util.Objects;

/**
 * How the Debezium envelopes encode column values: Debezium's PostgreSQL connector options of the
 * same names and meanings ({@code pgcdc.handler.json.debezium.*}). Immutable.
 *
 * @param decimalHandlingMode  {@code decimal.handling.mode}: numeric and money columns
 * @param timePrecisionMode    {@code time.precision.mode}: date, time and timestamp columns
 * @param intervalHandlingMode {@code interval.handling.mode}: interval columns
 * @param binaryHandlingMode   {@code binary.handling.mode}: bytea columns
 * @param hstoreHandlingMode   {@code hstore.handling.mode}: hstore columns
 */
public record DebeziumEncoding(
        DecimalHandlingMode decimalHandlingMode,
        TimePrecisionMode timePrecisionMode,
        IntervalHandlingMode intervalHandlingMode,
        BinaryHandlingMode binaryHandlingMode,
        HstoreHandlingMode hstoreHandlingMode) {

    /** Debezium's defaults: precise, adaptive, numeric, bytes, json. */
    public static final DebeziumEncoding DEFAULTS = new DebeziumEncoding(DecimalHandlingMode.PRECISE, TimePrecisionMode.ADAPTIVE,
            IntervalHandlingMode.NUMERIC, BinaryHandlingMode.BYTES, HstoreHandlingMode.JSON);

    public DebeziumEncoding {
        Objects.requireNonNull(decimalHandlingMode, "decimalHandlingMode");
        Objects.requireNonNull(timePrecisionMode, "timePrecisionMode");
        Objects.requireNonNull(intervalHandlingMode, "intervalHandlingMode");
        Objects.requireNonNull(binaryHandlingMode, "binaryHandlingMode");
        Objects.requireNonNull(hstoreHandlingMode, "hstoreHandlingMode");
    }

    public DebeziumEncoding withDecimalHandlingMode(DecimalHandlingMode value) {
        return new DebeziumEncoding(value, timePrecisionMode, intervalHandlingMode, binaryHandlingMode, hstoreHandlingMode);
    }

    public DebeziumEncoding withTimePrecisionMode(TimePrecisionMode value) {
        return new DebeziumEncoding(decimalHandlingMode, value, intervalHandlingMode, binaryHandlingMode, hstoreHandlingMode);
    }

    public DebeziumEncoding withIntervalHandlingMode(IntervalHandlingMode value) {
        return new DebeziumEncoding(decimalHandlingMode, timePrecisionMode, value, binaryHandlingMode, hstoreHandlingMode);
    }

    public DebeziumEncoding withBinaryHandlingMode(BinaryHandlingMode value) {
        return new DebeziumEncoding(decimalHandlingMode, timePrecisionMode, intervalHandlingMode, value, hstoreHandlingMode);
    }

    public DebeziumEncoding withHstoreHandlingMode(HstoreHandlingMode value) {
        return new DebeziumEncoding(decimalHandlingMode, timePrecisionMode, intervalHandlingMode, binaryHandlingMode, value);
    }

    /** A choice with its configuration spelling. */
    public interface Named {
        String configName();
    }

    /** {@code decimal.handling.mode}. */
    public enum DecimalHandlingMode implements Named {
        /** Connect {@code Decimal} (bytes of the unscaled value) for numeric(p,s) and money, {@code VariableScaleDecimal} for unconstrained numeric; NaN and infinities fail. */
        PRECISE("precise"),
        /** A float64: may lose digits; NaN and the infinities as strings. */
        DOUBLE("double"),
        /** The plain decimal text; NaN and the infinities as their text. Lossless. */
        STRING("string");

        private final String configName;

        DecimalHandlingMode(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /** {@code time.precision.mode}. */
    public enum TimePrecisionMode implements Named {
        /** date as {@code io.debezium.time.Date}; time and timestamp in milliseconds up to precision 3, else microseconds. */
        ADAPTIVE("adaptive"),
        /** as adaptive, but time always {@code io.debezium.time.MicroTime}. */
        ADAPTIVE_TIME_MICROSECONDS("adaptive_time_microseconds"),
        /** Connect's own Date, Time and Timestamp (milliseconds: sub-millisecond digits are cut). */
        CONNECT("connect");

        private final String configName;

        TimePrecisionMode(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /** {@code interval.handling.mode}. */
    public enum IntervalHandlingMode implements Named {
        /** {@code io.debezium.time.MicroDuration}: microseconds, a month counted as 30.4375 days (folds months and days into time). */
        NUMERIC("numeric"),
        /** {@code io.debezium.time.Interval}: {@code P<y>Y<m>M<d>DT<h>H<m>M<s>S}, months, days and time kept apart. */
        STRING("string");

        private final String configName;

        IntervalHandlingMode(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /** {@code binary.handling.mode}. */
    public enum BinaryHandlingMode implements Named {
        /** Connect bytes (base64 in JSON). */
        BYTES("bytes"),
        /** A string of the base64 text. */
        BASE64("base64"),
        /** A string of lower-case hexadecimal digits. */
        HEX("hex");

        private final String configName;

        BinaryHandlingMode(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /** {@code hstore.handling.mode}. */
    public enum HstoreHandlingMode implements Named {
        /** {@code io.debezium.data.Json}: the pairs as the text of a JSON object, {@code {"a":"1","b":null}}. */
        JSON("json"),
        /** A Connect map of string keys to optional string values. */
        MAP("map");

        private final String configName;

        HstoreHandlingMode(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }
}
