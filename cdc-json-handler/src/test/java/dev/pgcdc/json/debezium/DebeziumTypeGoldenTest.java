package dev.pgcdc.json.debezium;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.ColumnFacts.Nullability;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import dev.pgcdc.api.value.UnchangedToast;
import dev.pgcdc.json.JsonChangeHandler;
import dev.pgcdc.json.JsonHandlerSettings;
import dev.pgcdc.json.debezium.DebeziumEncoding.BinaryHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.DecimalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.HstoreHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.IntervalHandlingMode;
import dev.pgcdc.json.debezium.DebeziumEncoding.TimePrecisionMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One golden file per type ({@code types/<case>.json}): line 1 is the column's field schema in the
 * {@code ...Value} struct, line 2 its value in {@code payload.after}, both written by hand from Debezium's
 * documented PostgreSQL data type mappings (and its value converter), not recorded from pgcdc.
 */
class DebeziumTypeGoldenTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-06T07:08:09.010Z"), ZoneOffset.UTC);
    private static final DebeziumEncoding DEFAULTS = DebeziumEncoding.DEFAULTS;
    private static final int NUMERIC_10_2 = (10 << 16 | 2) + 4;
    private static final int NUMERIC_5_2 = (5 << 16 | 2) + 4;
    private static final UUID A_UUID = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
    private static final LocalDateTime A_TIMESTAMP = LocalDateTime.parse("2024-03-01T12:30:05.123456");

    private record Case(String golden, String type, int typmod, Object value, DebeziumEncoding encoding, ColumnFacts facts) {
        Case(String golden, String type, int typmod, Object value, DebeziumEncoding encoding) {
            this(golden, type, typmod, value, encoding, ColumnFacts.UNKNOWN);
        }
    }

    private static Case of(String golden, String type, int typmod, Object value) {
        return new Case(golden, type, typmod, value, DEFAULTS);
    }

    /** A column whose catalog facts the source looked up (nullability, a domain's base, an enum's labels). */
    private static Case with(String golden, String type, int typmod, Object value, ColumnFacts facts) {
        return new Case(golden, type, typmod, value, DEFAULTS, facts);
    }

    private static final List<String> MOOD = List.of("sad", "ok", "happy");
    private static final ColumnFacts ENUM = new ColumnFacts(Nullability.NULLABLE, null, -1, MOOD);

    private static DebeziumEncoding decimal(DecimalHandlingMode mode) {
        return DEFAULTS.withDecimalHandlingMode(mode);
    }

    private static DebeziumEncoding time(TimePrecisionMode mode) {
        return DEFAULTS.withTimePrecisionMode(mode);
    }

    private static DebeziumEncoding binary(BinaryHandlingMode mode) {
        return DEFAULTS.withBinaryHandlingMode(mode);
    }

    private static final Interval AN_INTERVAL = new Interval(14, 3, 14_706_500_000L);

    private static final List<Case> CASES = List.of(
            of("bool", "bool", -1, true),
            of("int2", "int2", -1, 5),
            of("int4", "int4", -1, -7),
            of("int8", "int8", -1, 9007199254740993L),
            of("float4", "float4", -1, 1.5f),
            of("float8", "float8", -1, 2.25d),
            of("numeric-10-2", "numeric", NUMERIC_10_2, new BigDecimal("12.34")),
            of("numeric-10-2-negative", "numeric", NUMERIC_10_2, new BigDecimal("-12.34")),
            of("numeric-unconstrained", "numeric", -1, new BigDecimal("12.340")),
            new Case("numeric-string", "numeric", -1, new BigDecimal("12.340"), decimal(DecimalHandlingMode.STRING)),
            new Case("numeric-double", "numeric", -1, new BigDecimal("12.340"), decimal(DecimalHandlingMode.DOUBLE)),
            of("money", "money", -1, new BigDecimal("12.34")),
            of("text", "text", -1, "héllo \"q\""),
            of("varchar", "varchar", 5, "v"),
            of("bpchar", "bpchar", 8, "ab  "),
            of("bytea", "bytea", -1, new byte[] {1, 2, (byte) 255}),
            new Case("bytea-base64", "bytea", -1, new byte[] {1, 2, (byte) 255}, binary(BinaryHandlingMode.BASE64)),
            new Case("bytea-hex", "bytea", -1, new byte[] {1, 2, (byte) 255}, binary(BinaryHandlingMode.HEX)),
            of("date", "date", -1, LocalDate.parse("2024-03-01")),
            new Case("date-connect", "date", -1, LocalDate.parse("2024-03-01"), time(TimePrecisionMode.CONNECT)),
            of("time", "time", -1, LocalTime.parse("12:30:05.123456")),
            of("time-3", "time", 3, LocalTime.parse("12:30:05.123")),
            of("time-24", "time", -1, LocalTime.MAX),
            new Case("time-3-adaptive-time-microseconds", "time", 3, LocalTime.parse("12:30:05.123"),
                    time(TimePrecisionMode.ADAPTIVE_TIME_MICROSECONDS)),
            new Case("time-connect", "time", -1, LocalTime.parse("12:30:05.123456"), time(TimePrecisionMode.CONNECT)),
            of("timestamp", "timestamp", -1, A_TIMESTAMP),
            of("timestamp-3", "timestamp", 3, LocalDateTime.parse("2024-03-01T12:30:05.123")),
            new Case("timestamp-connect", "timestamp", -1, A_TIMESTAMP, time(TimePrecisionMode.CONNECT)),
            of("timestamptz", "timestamptz", -1, Instant.parse("2024-03-01T12:30:05.123456Z")),
            of("timestamptz-whole-second", "timestamptz", -1, Instant.parse("2024-03-01T12:30:05Z")),
            of("timestamptz-3", "timestamptz", 3, Instant.parse("2024-03-01T12:30:05.12Z")),
            of("timestamptz-infinity", "timestamptz", -1, SpecialValue.DATE_TIME_INFINITY),
            of("timetz", "timetz", -1, OffsetTime.parse("12:30:05.123456+02:00")),
            of("interval", "interval", -1, AN_INTERVAL),
            new Case("interval-string", "interval", -1, AN_INTERVAL,
                    DEFAULTS.withIntervalHandlingMode(IntervalHandlingMode.STRING)),
            of("uuid", "uuid", -1, A_UUID),
            of("json", "json", -1, "{\"a\": [1, 2]}"),
            of("jsonb", "jsonb", -1, "{\"a\": [1, 2]}"),
            of("xml", "xml", -1, "<a>1</a>"),
            of("inet", "inet", -1, "192.168.0.1/24"),
            of("bit-4", "bit", 4, "1010"),
            of("bit-1", "bit", 1, "1"),
            of("int4-array", "_int4", -1, Arrays.asList(1, null, 3)),
            of("text-array", "_text", -1, Arrays.asList("a", null, "b c")),
            of("numeric-5-2-array", "_numeric", NUMERIC_5_2, Arrays.asList(new BigDecimal("12.34"), null)),
            of("uuid-array", "_uuid", -1, List.of(A_UUID)),
            of("hstore", "hstore", -1, "\"a\"=>\"1\", \"b \\\"q\\\"\"=>NULL"),
            new Case("hstore-map", "hstore", -1, "\"a\"=>\"1\", \"b \\\"q\\\"\"=>NULL", DEFAULTS.withHstoreHandlingMode(HstoreHandlingMode.MAP)),
            of("point", "point", -1, "(1.5,2)"),
            of("toast-text", "text", -1, UnchangedToast.INSTANCE),
            of("toast-bytea", "bytea", -1, UnchangedToast.INSTANCE),
            of("toast-text-array", "_text", -1, UnchangedToast.INSTANCE),
            of("toast-int4-array", "_int4", -1, UnchangedToast.INSTANCE),
            of("toast-hstore", "hstore", -1, UnchangedToast.INSTANCE),
            of("null", "text", -1, null),
            // Debezium: PostgresValueConverter maps an enum to io.debezium.data.Enum with its labels as "allowed"
            with("enum", "mood", -1, "ok", ENUM),
            with("enum-not-null", "mood", -1, "sad", ENUM.withNullability(Nullability.NOT_NULL)),
            with("enum-array", "_mood", -1, List.of("happy", "sad"), ENUM),
            // Debezium: a NOT NULL column's schema is required (the JDBC metadata's IS_NULLABLE), a nullable one optional
            with("int4-not-null", "int4", -1, -7, ColumnFacts.UNKNOWN.withNullability(Nullability.NOT_NULL)),
            with("int4-nullable", "int4", -1, -7, ColumnFacts.UNKNOWN.withNullability(Nullability.NULLABLE)),
            // Debezium: a domain column maps as its root (base) type, with the modifier the domain declares
            with("domain-numeric-10-2", "price", -1, new BigDecimal("12.34"), new ColumnFacts(Nullability.NULLABLE, "numeric", NUMERIC_10_2, List.of())),
            with("domain-text-not-null", "nonempty", -1, "v", new ColumnFacts(Nullability.NOT_NULL, "text", -1, List.of())),
            with("domain-int4-array", "int4s", -1, Arrays.asList(1, null, 3), new ColumnFacts(Nullability.NULLABLE, "_int4", -1, List.of())),
            with("domain-enum", "good_mood", -1, "happy", new ColumnFacts(Nullability.NULLABLE, "mood", -1, MOOD)));

    @TestFactory
    Stream<DynamicTest> eachTypeIsWrittenAsDebeziumWritesIt() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.golden(), () -> {
            String[] golden = golden(c.golden());
            List<Column> columns = List.of(new Column("id", 23, "int4", -1, true), new Column("c", 9999, c.type(), c.typmod(), false, c.facts()));
            Row row = new Row(columns, new Object[] {1, c.value()});
            JsonChangeHandler handler = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium",
                    "debezium", Map.of("name", "dbserver1", "decimal.handling.mode", c.encoding().decimalHandlingMode().configName(),
                            "time.precision.mode", c.encoding().timePrecisionMode().configName(),
                            "interval.handling.mode", c.encoding().intervalHandlingMode().configName(),
                            "binary.handling.mode", c.encoding().binaryHandlingMode().configName(),
                            "hstore.handling.mode", c.encoding().hstoreHandlingMode().configName()))), CLOCK);
            OutRecord record = handler.handle(ChangeEvent.builder(Operation.INSERT).table(new TableId("public", "t")).after(row)
                    .keyColumns(List.of("id")).transactionId(771).lsn(Lsn.of(1000)).commitLsn(Lsn.of(1000))
                    .commitTime(Instant.parse("2024-05-06T07:08:09Z")).position(new Position(Lsn.of(1000), 0)).build()).get(0);
            String value = new String(record.value(), StandardCharsets.UTF_8);

            assertThat(value).contains("\"name\":\"dbserver1.public.t.Value\"")
                    .contains("\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"}," + golden[0] + "],\"optional\":true,"
                            + "\"name\":\"dbserver1.public.t.Value\"")
                    .contains("\"after\":{\"id\":1,\"c\":" + golden[1] + "}");
        }));
    }

    private static String[] golden(String name) {
        try (InputStream in = DebeziumTypeGoldenTest.class.getResourceAsStream("types/" + name + ".json")) {
            assertThat(in).as("golden file types/%s.json", name).isNotNull();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            assertThat(lines).hasSize(2);
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
