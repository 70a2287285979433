package dev.pgcdc.json.debezium;

import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.json.debezium.DebeziumEncoding.BinaryHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.DecimalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.HstoreHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.IntervalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.TimePrecisionMode;
import java.util.List;

/**
 * The schema and value encoding of one column, as Debezium's PostgreSQL connector maps its type
 * (its documented data type mappings). Resolved once per column of a table shape.
 *
 * @param schema  the column's Connect schema (optional or not: set by the caller)
 * @param kind    how a value is written
 * @param scale   numeric(p,s) and money: the scale values are set to
 * @param width   timestamptz: digits of the second's fraction (0: as many as needed)
 * @param element arrays: the element's encoding, else null
 */
record FieldEncoding(ConnectSchema schema, Kind kind, int scale, int width, FieldEncoding element) {

    /** How a value is written. */
    enum Kind {
        BOOLEAN, INT16, INT32, INT64, FLOAT32, FLOAT64, STRING,
        DECIMAL, VARIABLE_SCALE_DECIMAL, DECIMAL_DOUBLE, DECIMAL_STRING,
        BYTES, BYTES_HEX, BITS, BIT_BOOLEAN,
        DATE_DAYS, TIME_MILLIS, TIME_MICROS, TIMESTAMP_MILLIS, TIMESTAMP_MICROS, ZONED_TIMESTAMP, ZONED_TIME,
        INTERVAL_MICROS, INTERVAL_STRING,
        HSTORE_JSON, HSTORE_MAP, POINT,
        ARRAY
    }

    private static final int DEFAULT_TIME_PRECISION = 6;
    private static final int MONEY_FRACTION_DIGITS = 2;

    private static FieldEncoding of(ConnectSchema schema, Kind kind) {
        return new FieldEncoding(schema, kind, 0, 0, null);
    }

    /** The encoding of {@code column} under {@code encoding}. Types Debezium does not map (it drops such columns) are strings here. */
    static FieldEncoding of(Column column, DebeziumEncoding encoding) {
        ColumnFacts facts = column.facts();
        // a domain maps as its base type (Debezium resolves it to its root type), with the modifier the domain declares
        String type = facts.baseTypeName() != null ? facts.baseTypeName() : column.typeName();
        int typmod = facts.baseTypeName() != null && column.typeModifier() < 0 ? facts.baseTypeModifier() : column.typeModifier();
        if (type.startsWith("_")) {
            if (!facts.enumLabels().isEmpty()) {
                // Debezium: SchemaBuilder.array(Enum.builder(labels)), items required
                FieldEncoding element = enumeration(facts.enumLabels());
                return new FieldEncoding(ConnectSchema.arrayOfAsIs(element.schema()), Kind.ARRAY, 0, 0, element);
            }
            FieldEncoding element = scalar(type.substring(1), typmod, encoding);
            return new FieldEncoding(ConnectSchema.arrayOf(element.schema()), Kind.ARRAY, 0, 0, element);
        }
        return facts.enumLabels().isEmpty() ? scalar(type, typmod, encoding) : enumeration(facts.enumLabels());
    }

    /** An enum: Debezium's {@code io.debezium.data.Enum} string with its labels, in their sort order, as {@code allowed}. */
    private static FieldEncoding enumeration(List<String> labels) {
        return of(ConnectSchema.named("string", "io.debezium.data.Enum").withParameters("allowed", String.join(",", labels)), Kind.STRING);
    }

    private static FieldEncoding scalar(String type, int typmod, DebeziumEncoding encoding) {
        return switch (type) {
            case "bool" -> of(ConnectSchema.of("boolean"), Kind.BOOLEAN);
            case "int2" -> of(ConnectSchema.of("int16"), Kind.INT16);
            case "int4" -> of(ConnectSchema.of("int32"), Kind.INT32);
            case "int8", "oid" -> of(ConnectSchema.of("int64"), Kind.INT64);
            case "float4" -> of(ConnectSchema.of("float"), Kind.FLOAT32);
            case "float8" -> of(ConnectSchema.of("double"), Kind.FLOAT64);
            case "numeric" -> numeric(typmod, encoding.decimalHandlingMode());
            case "money" -> money(encoding.decimalHandlingMode());
            case "bytea" -> bytea(encoding.binaryHandlingMode());
            case "date" -> encoding.timePrecisionMode() == TimePrecisionMode.CONNECT
                    ? of(ConnectSchema.named("int32", "org.apache.kafka.connect.data.Date"), Kind.DATE_DAYS)
                    : of(ConnectSchema.named("int32", "io.debezium.time.Date"), Kind.DATE_DAYS);
            case "time" -> time(precision(typmod), encoding.timePrecisionMode());
            case "timestamp" -> timestamp(precision(typmod), encoding.timePrecisionMode());
            case "timestamptz" -> new FieldEncoding(ConnectSchema.named("string", "io.debezium.time.ZonedTimestamp"), Kind.ZONED_TIMESTAMP,
                    0, precision(typmod), null);
            case "timetz" -> of(ConnectSchema.named("string", "io.debezium.time.ZonedTime"), Kind.ZONED_TIME);
            case "interval" -> encoding.intervalHandlingMode() == IntervalHandlingMode.STRING
                    ? of(ConnectSchema.named("string", "io.debezium.time.Interval"), Kind.INTERVAL_STRING)
                    : of(ConnectSchema.named("int64", "io.debezium.time.MicroDuration"), Kind.INTERVAL_MICROS);
            case "uuid" -> of(ConnectSchema.named("string", "io.debezium.data.Uuid"), Kind.STRING);
            case "json", "jsonb" -> of(ConnectSchema.named("string", "io.debezium.data.Json"), Kind.STRING);
            case "xml" -> of(ConnectSchema.named("string", "io.debezium.data.Xml"), Kind.STRING);
            case "ltree" -> of(ConnectSchema.named("string", "io.debezium.data.Ltree"), Kind.STRING);
            case "hstore" -> encoding.hstoreHandlingMode() == HstoreHandlingMode.MAP
                    ? of(ConnectSchema.mapOf(ConnectSchema.of("string"), ConnectSchema.of("string").asOptional()), Kind.HSTORE_MAP)
                    : of(ConnectSchema.named("string", "io.debezium.data.Json"), Kind.HSTORE_JSON);
            case "point" -> of(ConnectSchema.struct("io.debezium.data.geometry.Point", 1, List.of(
                    new ConnectSchema.Field("x", ConnectSchema.of("double")),
                    new ConnectSchema.Field("y", ConnectSchema.of("double")),
                    new ConnectSchema.Field("wkb", ConnectSchema.of("bytes").asOptional()),
                    new ConnectSchema.Field("srid", ConnectSchema.of("int32").asOptional()))).withDoc("Geometry (POINT)"), Kind.POINT);
            case "bit", "varbit" -> typmod == 1
                    ? of(ConnectSchema.of("boolean"), Kind.BIT_BOOLEAN)
                    : of(ConnectSchema.named("bytes", "io.debezium.data.Bits").withParameters("length", Integer.toString(typmod)), Kind.BITS);
            default -> of(ConnectSchema.of("string"), Kind.STRING);
        };
    }

    /** atttypmod of time, timetz, timestamp and timestamptz is the precision; -1 means 6. */
    private static int precision(int typmod) {
        return typmod < 0 ? DEFAULT_TIME_PRECISION : typmod;
    }

    private static FieldEncoding numeric(int typmod, DecimalHandlingMode mode) {
        // atttypmod of numeric(p,s): ((p << 16) | s) + 4; -1 without one
        int precision = typmod < 4 ? 0 : ((typmod - 4) >> 16) & 0xFFFF;
        int scale = typmod < 4 ? 0 : (typmod - 4) & 0xFFFF;
        return switch (mode) {
            case DOUBLE -> of(ConnectSchema.of("double"), Kind.DECIMAL_DOUBLE);
            case STRING -> of(ConnectSchema.of("string"), Kind.DECIMAL_STRING);
            case PRECISE -> precision == 0
                    ? of(ConnectSchema.struct("io.debezium.data.VariableScaleDecimal", 1, List.of(
                            new ConnectSchema.Field("scale", ConnectSchema.of("int32")),
                            new ConnectSchema.Field("value", ConnectSchema.of("bytes")))).withDoc("Variable scaled decimal"),
                            Kind.VARIABLE_SCALE_DECIMAL)
                    : new FieldEncoding(ConnectSchema.named("bytes", "org.apache.kafka.connect.data.Decimal")
                            .withParameters("scale", Integer.toString(scale), "connect.decimal.precision", Integer.toString(precision)),
                            Kind.DECIMAL, scale, 0, null);
        };
    }

    private static FieldEncoding money(DecimalHandlingMode mode) {
        return switch (mode) {
            case DOUBLE -> of(ConnectSchema.of("double"), Kind.DECIMAL_DOUBLE);
            case STRING -> of(ConnectSchema.of("string"), Kind.DECIMAL_STRING);
            case PRECISE -> new FieldEncoding(ConnectSchema.named("bytes", "org.apache.kafka.connect.data.Decimal")
                    .withParameters("scale", Integer.toString(MONEY_FRACTION_DIGITS)), Kind.DECIMAL, MONEY_FRACTION_DIGITS, 0, null);
        };
    }

    /** Binary data under {@code binary.handling.mode}: a {@code bytea} column, a logical message's content. */
    static FieldEncoding bytea(BinaryHandlingMode mode) {
        return switch (mode) {
            case BYTES -> of(ConnectSchema.of("bytes"), Kind.BYTES);
            // a string schema; JSON carries the same base64 text as for bytes
            case BASE64 -> of(ConnectSchema.of("string"), Kind.BYTES);
            case HEX -> of(ConnectSchema.of("string"), Kind.BYTES_HEX);
        };
    }

    private static FieldEncoding time(int precision, TimePrecisionMode mode) {
        if (mode == TimePrecisionMode.CONNECT) {
            return of(ConnectSchema.named("int32", "org.apache.kafka.connect.data.Time"), Kind.TIME_MILLIS);
        }
        if (mode == TimePrecisionMode.ADAPTIVE && precision <= 3) {
            return of(ConnectSchema.named("int32", "io.debezium.time.Time"), Kind.TIME_MILLIS);
        }
        return of(ConnectSchema.named("int64", "io.debezium.time.MicroTime"), Kind.TIME_MICROS);
    }

    private static FieldEncoding timestamp(int precision, TimePrecisionMode mode) {
        if (mode == TimePrecisionMode.CONNECT) {
            return of(ConnectSchema.named("int64", "org.apache.kafka.connect.data.Timestamp"), Kind.TIMESTAMP_MILLIS);
        }
        if (precision <= 3) {
            return of(ConnectSchema.named("int64", "io.debezium.time.Timestamp"), Kind.TIMESTAMP_MILLIS);
        }
        return of(ConnectSchema.named("int64", "io.debezium.time.MicroTimestamp"), Kind.TIMESTAMP_MICROS);
    }
}
