package dev.pgcdc.json;

import java.util.Map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.event.TruncateOptions;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.handler.RecordHeader;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import dev.pgcdc.api.value.UnchangedToast;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JsonChangeHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-06T07:08:09.010Z"), ZoneOffset.UTC);
    private static final TableId USERS = new TableId("public", "users");
    private static final List<Column> USER_COLUMNS = List.of(
            new Column("id", 23, "int4", -1, true),
            new Column("name", 25, "text", -1, false),
            new Column("created_on", 1184, "timestamptz", -1, false));
    private static final Instant COMMIT = Instant.parse("2024-05-06T07:08:09.123456Z");

    private final JsonChangeHandler handler = new JsonChangeHandler(JsonHandlerSettings.defaults(), CLOCK);

    @Test
    void writesInsertAsPgcdcEnvelopeKeyedByPrimaryKey() {
        ChangeEvent insert = event(Operation.INSERT).after(user(1, "alice")).build();

        List<OutRecord> records = handler.handle(insert);

        assertThat(records).hasSize(1);
        OutRecord record = records.get(0);
        assertThat(record.topic()).isNull();
        assertThat(record.headers()).isEmpty();
        assertThat(text(record.key())).isEqualTo("{\"id\":1}");
        assertThat(text(record.value())).isEqualTo("{\"op\":\"c\",\"before\":null,"
                + "\"after\":{\"id\":1,\"name\":\"alice\",\"created_on\":\"2024-01-02T03:04:05.678Z\"},"
                + "\"source\":{\"schema\":\"public\",\"table\":\"users\",\"lsn\":\"16/B374D848\",\"txId\":771,"
                + "\"commitTime\":\"2024-05-06T07:08:09.123456Z\",\"snapshot\":false},\"tsMs\":1714979289010}");
    }

    @Test
    void writesUpdateWithBeforeAndAfter() {
        ChangeEvent update = event(Operation.UPDATE).before(user(1, "alice")).after(user(1, "bob")).build();

        String value = text(handler.handle(update).get(0).value());

        assertThat(value).startsWith("{\"op\":\"u\",\"before\":{\"id\":1,\"name\":\"alice\",")
                .contains("\"after\":{\"id\":1,\"name\":\"bob\",");
    }

    @Test
    void keysDeleteByItsBeforeImageAndFollowsItWithTombstoneWhenAsked() {
        JsonChangeHandler tombstones = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("tombstone-after-delete", true)), CLOCK);
        ChangeEvent delete = event(Operation.DELETE).before(user(7, "gone")).build();

        List<OutRecord> records = tombstones.handle(delete);

        assertThat(records).hasSize(2);
        assertThat(text(records.get(0).key())).isEqualTo("{\"id\":7}");
        assertThat(text(records.get(0).value())).startsWith("{\"op\":\"d\",\"before\":{\"id\":7,").contains("\"after\":null");
        assertThat(text(records.get(1).key())).isEqualTo("{\"id\":7}");
        assertThat(records.get(1).value()).isNull();
        assertThat(handler.handle(delete)).hasSize(1);
    }

    @Test
    void snapshotRowsHaveOpRAndSnapshotTrue() {
        ChangeEvent read = event(Operation.READ).after(user(3, "carol")).build();

        String value = text(handler.handle(read).get(0).value());

        assertThat(value).startsWith("{\"op\":\"r\",").contains("\"snapshot\":true");
    }

    @Test
    void compositeKeyIsWrittenInTheEventsKeyOrder() {
        List<Column> columns = List.of(new Column("tenant", 25, "text", -1, true), new Column("id", 23, "int4", -1, true),
                new Column("note", 25, "text", -1, false));
        ChangeEvent insert = event(Operation.INSERT).after(new Row(columns, new Object[] {"acme", 5, "x"}))
                .keyColumns(List.of("id", "tenant")).build();

        assertThat(text(handler.handle(insert).get(0).key())).isEqualTo("{\"id\":5,\"tenant\":\"acme\"}");
    }

    @Test
    void tableWithoutKeyGivesNullKey() {
        List<Column> columns = List.of(new Column("note", 25, "text", -1, false));
        ChangeEvent insert = event(Operation.INSERT).after(new Row(columns, new Object[] {"x"})).keyColumns(List.of()).build();

        assertThat(handler.handle(insert).get(0).key()).isNull();
    }

    @Test
    void truncateHasNoKeyAndCarriesItsOptions() {
        ChangeEvent truncate = event(Operation.TRUNCATE).truncateOptions(new TruncateOptions(true, false)).build();

        OutRecord record = handler.handle(truncate).get(0);

        assertThat(record.key()).isNull();
        assertThat(text(record.value())).startsWith("{\"op\":\"t\",\"before\":null,\"after\":null,")
                .contains("\"truncate\":{\"cascade\":true,\"restartIdentity\":false},\"tsMs\":");
    }

    @Test
    void logicalMessagesAreDroppedUnlessAMessageTopicIsSet() {
        ChangeEvent message = ChangeEvent.builder(Operation.MESSAGE)
                .message(new LogicalMessage("audit", "hi".getBytes(StandardCharsets.UTF_8), true))
                .commitLsn(Lsn.parse("1/0")).build();
        JsonChangeHandler withTopic = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("message-topic", "messages")), CLOCK);

        assertThat(handler.handle(message)).isEmpty();
        OutRecord record = withTopic.handle(message).get(0);
        assertThat(record.topic()).isEqualTo("messages");
        assertThat(text(record.key())).isEqualTo("{\"prefix\":\"audit\"}");
        assertThat(text(record.value())).startsWith("{\"op\":\"m\",\"before\":null,\"after\":null,\"source\":{\"schema\":null,\"table\":null,")
                .contains("\"message\":{\"prefix\":\"audit\",\"content\":\"aGk=\",\"transactional\":true}");
    }

    @Test
    void rendersEveryValueTypeLosslessly() {
        List<Column> columns = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        add(columns, values, "int4", 42);
        add(columns, values, "int8", 9_007_199_254_740_993L);
        add(columns, values, "int2", 7);
        add(columns, values, "bool", true);
        add(columns, values, "float4", 1.1f);
        add(columns, values, "float8", 2.5d);
        add(columns, values, "float8_nan", Double.NaN);
        add(columns, values, "float8_inf", Double.NEGATIVE_INFINITY);
        add(columns, values, "float4_inf", Float.POSITIVE_INFINITY);
        add(columns, values, "numeric", new BigDecimal("12345678901234567890.000100"));
        add(columns, values, "numeric_exp", new BigDecimal("1E+3"));
        add(columns, values, "numeric_nan", SpecialValue.NAN);
        add(columns, values, "numeric_inf", SpecialValue.POSITIVE_INFINITY);
        add(columns, values, "numeric_minus_inf", SpecialValue.NEGATIVE_INFINITY);
        add(columns, values, "money", new BigDecimal("-12.34"));
        add(columns, values, "text", "Zoë \"quoted\"\n\t\\ ☃");
        add(columns, values, "jsonb", "{\"a\": [1, 2]}");
        add(columns, values, "bytea", new byte[] {0, 1, 2, (byte) 0xff});
        add(columns, values, "uuid", UUID.fromString("123e4567-e89b-12d3-a456-426614174000"));
        add(columns, values, "date", LocalDate.of(2024, 2, 29));
        add(columns, values, "date_inf", SpecialValue.DATE_TIME_NEGATIVE_INFINITY);
        add(columns, values, "time", LocalTime.of(7, 30));
        add(columns, values, "timetz", OffsetTime.of(7, 30, 0, 500_000_000, ZoneOffset.ofHours(2)));
        add(columns, values, "timestamp", LocalDateTime.of(2024, 3, 1, 12, 30, 5, 123_456_000));
        add(columns, values, "timestamptz", Instant.parse("2024-03-01T12:30:05.123456789Z"));
        add(columns, values, "timestamptz_bc", Instant.parse("-0044-03-15T12:00:00Z"));
        add(columns, values, "timestamptz_inf", SpecialValue.DATE_TIME_INFINITY);
        add(columns, values, "interval", new Interval(14, 3, 3_723_500_000L));
        add(columns, values, "text_array", Arrays.asList("a", null, "b"));
        add(columns, values, "int4_matrix", List.of(List.of(1, 2), List.of(3, 4)));
        add(columns, values, "toast", UnchangedToast.INSTANCE);
        add(columns, values, "null", null);
        ChangeEvent insert = event(Operation.INSERT).after(new Row(List.copyOf(columns), values.toArray())).keyColumns(List.of()).build();

        String value = text(handler.handle(insert).get(0).value());

        assertThat(value).contains("\"after\":{"
                + "\"int4\":42,\"int8\":9007199254740993,\"int2\":7,\"bool\":true,"
                + "\"float4\":1.1,\"float8\":2.5,\"float8_nan\":\"NaN\",\"float8_inf\":\"-Infinity\",\"float4_inf\":\"Infinity\","
                + "\"numeric\":\"12345678901234567890.000100\",\"numeric_exp\":\"1000\",\"numeric_nan\":\"NaN\","
                + "\"numeric_inf\":\"Infinity\",\"numeric_minus_inf\":\"-Infinity\",\"money\":\"-12.34\","
                + "\"text\":\"Zoë \\\"quoted\\\"\\n\\t\\\\ ☃\",\"jsonb\":\"{\\\"a\\\": [1, 2]}\","
                + "\"bytea\":\"AAEC/w==\",\"uuid\":\"123e4567-e89b-12d3-a456-426614174000\","
                + "\"date\":\"2024-02-29\",\"date_inf\":\"-infinity\",\"time\":\"07:30:00\",\"timetz\":\"07:30:00.500+02:00\","
                + "\"timestamp\":\"2024-03-01T12:30:05.123456\",\"timestamptz\":\"2024-03-01T12:30:05.123456789Z\","
                + "\"timestamptz_bc\":\"-0044-03-15T12:00:00Z\",\"timestamptz_inf\":\"infinity\","
                + "\"interval\":\"P1Y2M3DT1H2M3.5S\",\"text_array\":[\"a\",null,\"b\"],\"int4_matrix\":[[1,2],[3,4]],"
                + "\"toast\":\"__debezium_unavailable_value\",\"null\":null}");
    }

    @Test
    void unchangedToastPlaceholderIsConfigurable() {
        JsonChangeHandler custom = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("unchanged-toast-placeholder", "<toast>")), CLOCK);
        Row row = new Row(USER_COLUMNS, new Object[] {1, UnchangedToast.INSTANCE, Instant.EPOCH});

        String value = text(custom.handle(event(Operation.UPDATE).after(row).build()).get(0).value());

        assertThat(value).contains("\"name\":\"<toast>\"");
    }

    @Test
    void debeziumSchemalessEnvelopeIsThePayloadAlone() {
        JsonChangeHandler schemaless = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium-schemaless")), CLOCK);

        OutRecord record = schemaless.handle(event(Operation.DELETE).before(user(2, "x")).build()).get(0);

        assertThat(text(record.key())).isEqualTo("{\"id\":2}");
        assertThat(text(record.value())).startsWith("{\"before\":{\"id\":2,")
                .endsWith("\"transaction\":null,\"op\":\"d\",\"ts_ms\":1714979289010,\"ts_us\":1714979289010000,\"ts_ns\":1714979289010000000}");
    }

    @Test
    void addsHeadersWhenAsked() {
        JsonChangeHandler withHeaders = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("headers", true)), CLOCK);

        OutRecord record = withHeaders.handle(event(Operation.INSERT).after(user(1, "a")).build()).get(0);

        assertThat(record.headers()).containsExactly(RecordHeader.of("pgcdc.op", "c"), RecordHeader.of("pgcdc.table", "public.users"),
                RecordHeader.of("pgcdc.position", "16/B374D848#4"));
    }

    @Test
    void startsCleanAfterAValueFailedMidDocument() {
        Object broken = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("cannot render");
            }
        };
        Row bad = new Row(USER_COLUMNS, new Object[] {1, broken, Instant.EPOCH});

        assertThatThrownBy(() -> handler.handle(event(Operation.INSERT).after(bad).build())).hasMessage("cannot render");
        OutRecord next = handler.handle(event(Operation.INSERT).after(user(2, "ok")).build()).get(0);

        assertThat(text(next.value())).startsWith("{\"op\":\"c\",\"before\":null,\"after\":{\"id\":2,");
        assertThat(text(next.key())).isEqualTo("{\"id\":2}");
    }

    @Test
    void reusesItsBufferAcrossEventsOfDifferentSizes() {
        String big = "x".repeat(3 * 1024 * 1024);
        OutRecord large = handler.handle(event(Operation.INSERT).after(user(1, big)).build()).get(0);
        OutRecord small = handler.handle(event(Operation.INSERT).after(user(2, "s")).build()).get(0);

        assertThat(large.value().length).isGreaterThan(big.length());
        assertThat(text(small.value())).contains("\"name\":\"s\"").doesNotContain("xxx");
    }

    @Test
    void deadLetterEncoderWritesTheEventAsJsonWithErrorHeaders() {
        JsonDeadLetterEncoder encoder = new JsonDeadLetterEncoder(JsonHandlerSettings.defaults(), CLOCK);
        ChangeEvent insert = event(Operation.INSERT).after(user(9, "z")).build();

        OutRecord record = encoder.encode(insert, new IllegalArgumentException("bad row"), "dead.letters");

        assertThat(record.topic()).isEqualTo("dead.letters");
        assertThat(text(record.key())).isEqualTo("{\"id\":9}");
        assertThat(text(record.value())).startsWith("{\"op\":\"c\",");
        assertThat(record.headers()).contains(RecordHeader.of("pgcdc.error.class", "java.lang.IllegalArgumentException"),
                RecordHeader.of("pgcdc.error.message", "bad row"), RecordHeader.of("pgcdc.position", "16/B374D848#4"));
    }

    private static void add(List<Column> columns, List<Object> values, String name, Object value) {
        columns.add(new Column(name, 0, name, -1, false));
        values.add(value);
    }

    private static Row user(int id, String name) {
        return new Row(USER_COLUMNS, new Object[] {id, name, Instant.parse("2024-01-02T03:04:05.678Z")});
    }

    private static ChangeEvent.Builder event(Operation operation) {
        return ChangeEvent.builder(operation).table(USERS).keyColumns(List.of("id")).transactionId(771)
                .lsn(Lsn.parse("16/B374D848")).commitLsn(Lsn.parse("16/B374D900")).commitTime(COMMIT)
                .position(new Position(Lsn.parse("16/B374D848"), 4));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
