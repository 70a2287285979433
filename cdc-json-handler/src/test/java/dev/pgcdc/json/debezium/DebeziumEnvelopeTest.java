package dev.pgcdc.json.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.ConfigurationException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Column;
import dev.pgcdc.api.event.ColumnFacts;
import dev.pgcdc.api.event.LogicalMessage;
import dev.pgcdc.api.event.Operation;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.event.TruncateOptions;
import dev.pgcdc.api.handler.OutRecord;
import dev.pgcdc.api.plugin.PluginConfig;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.position.Position;
import dev.pgcdc.api.value.SpecialValue;
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
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebeziumEnvelopeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-06T07:08:09.010Z"), ZoneOffset.UTC);
    private static final TableId USERS = new TableId("public", "users");
    private static final List<Column> USER_COLUMNS = List.of(
            new Column("id", 23, "int4", -1, true),
            new Column("name", 25, "text", -1, false),
            new Column("created_on", 1184, "timestamptz", -1, false));
    private static final List<Column> USER_KEY = List.of(USER_COLUMNS.get(0));
    private static final Instant COMMIT = Instant.parse("2024-05-06T07:08:09.123456Z");

    private final JsonChangeHandler handler = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium",
            "debezium", Map.of("name", "dbserver1", "database", "inventory"))), CLOCK);

    @Test
    void insertHasDebeziumsKeyAndEnvelopeSchemasAndPayload() {
        OutRecord record = handler.handle(event(Operation.INSERT).after(user(1, "alice")).build()).get(0);

        assertThat(text(record.key())).isEqualTo(golden("insert-key.json"));
        assertThat(text(record.value())).isEqualTo(golden("insert-value.json"));
    }

    @Test
    void deleteWithTheKeyAloneWritesDebeziumsFallbackForTheNotNullColumnsItLacks() {
        NotNull required = new NotNull();
        List<Column> columns = List.of(required.column("id", 23, "int4"), required.column("qty", 20, "int8"),
                required.column("price", 1700, "numeric"), required.column("name", 25, "text"), required.column("at", 1184, "timestamptz"),
                required.column("tags", 1009, "_text"), new Column("note", 25, "text", -1, false,
                        ColumnFacts.UNKNOWN.withNullability(ColumnFacts.Nullability.NULLABLE)));
        handler.handle(event(Operation.INSERT).after(new Row(columns, new Object[] {1, 2L, java.math.BigDecimal.ONE, "n",
                Instant.EPOCH, List.of("t"), null})).build());

        String delete = text(handler.handle(event(Operation.DELETE).before(new Row(List.of(columns.get(0)), new Object[] {1})).build())
                .get(0).value());

        // JsonConverter rejects a null in a required field: Debezium writes its converters' fallback instead
        assertThat(delete).contains("{\"type\":\"int64\",\"optional\":false,\"field\":\"qty\"}")
                .contains("{\"type\":\"string\",\"optional\":true,\"field\":\"note\"}")
                .contains("\"before\":{\"id\":1,\"qty\":0,\"price\":{\"scale\":0,\"value\":\"AA==\"},\"name\":\"\","
                        + "\"at\":\"1970-01-01T00:00:00Z\",\"tags\":[],\"note\":null},");
    }

    /** Columns the source looked up as NOT NULL. */
    private static final class NotNull {
        Column column(String name, int oid, String type) {
            return new Column(name, oid, type, -1, name.equals("id"), ColumnFacts.UNKNOWN.withNullability(ColumnFacts.Nullability.NOT_NULL));
        }
    }

    @Test
    void deleteWithTheKeyAloneIsWrittenWithTheTablesValueSchemaAndFollowedByATombstone() {
        OutRecord insert = handler.handle(event(Operation.INSERT).after(user(1, "alice")).build()).get(0);

        List<OutRecord> delete = handler.handle(event(Operation.DELETE).before(new Row(USER_KEY, new Object[] {1})).build());

        assertThat(delete).hasSize(2);
        assertThat(delete.get(0).key()).isEqualTo(insert.key());
        assertThat(schemaOf(text(delete.get(0).value()))).isEqualTo(schemaOf(text(insert.value())));
        assertThat(text(delete.get(0).value())).contains("\"payload\":{\"before\":{\"id\":1,\"name\":null,\"created_on\":null},\"after\":null,")
                .contains("\"op\":\"d\"");
        assertThat(delete.get(1).key()).isEqualTo(insert.key());
        assertThat(delete.get(1).value()).isNull();
    }

    @Test
    void aDeleteBeforeAnyFullRowHasTheKeySchemaAndLaterDeletesTheTables() {
        Row key = new Row(USER_KEY, new Object[] {1});
        OutRecord first = handler.handle(event(Operation.DELETE).before(key).build()).get(0);
        OutRecord insert = handler.handle(event(Operation.INSERT).after(user(2, "bob")).build()).get(0);

        OutRecord later = handler.handle(event(Operation.DELETE).before(key).build()).get(0);

        assertThat(text(first.value())).contains("\"before\":{\"id\":1},");
        assertThat(schemaOf(text(later.value()))).isEqualTo(schemaOf(text(insert.value())));
        assertThat(text(later.value())).contains("\"before\":{\"id\":1,\"name\":null,\"created_on\":null},");
    }

    @Test
    void tombstonesFollowDeletesUnlessTurnedOff() {
        JsonChangeHandler noTombstones = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium",
                "debezium", Map.of("tombstones.on.delete", false))), CLOCK);

        assertThat(noTombstones.handle(event(Operation.DELETE).before(user(1, "a")).build())).hasSize(1);
    }

    @Test
    void aNewColumnListGetsItsOwnSchemaAndTheOldOneIsKept() {
        OutRecord before = handler.handle(event(Operation.INSERT).after(user(1, "alice")).build()).get(0);
        List<Column> widened = List.of(USER_COLUMNS.get(0), USER_COLUMNS.get(1), USER_COLUMNS.get(2), new Column("age", 21, "int2", -1, false));

        OutRecord after = handler.handle(event(Operation.INSERT).after(new Row(widened, new Object[] {2, "bob", COMMIT, 42})).build()).get(0);
        OutRecord again = handler.handle(event(Operation.INSERT).after(user(3, "carol")).build()).get(0);

        assertThat(schemaOf(text(after.value()))).contains("{\"type\":\"int16\",\"optional\":true,\"field\":\"age\"}");
        assertThat(schemaOf(text(again.value()))).isEqualTo(schemaOf(text(before.value())));
    }

    @Test
    void truncateHasNoKeyAndOpT() {
        handler.handle(event(Operation.INSERT).after(user(1, "alice")).build());

        OutRecord truncate = handler.handle(event(Operation.TRUNCATE).truncateOptions(new TruncateOptions(false, false)).build()).get(0);

        assertThat(truncate.key()).isNull();
        assertThat(text(truncate.value())).contains("\"payload\":{\"before\":null,\"after\":null,\"source\":{").contains("\"op\":\"t\"")
                .contains("\"name\":\"dbserver1.public.users.Envelope\"");
    }

    @Test
    void logicalMessagesHaveDebeziumsMessageShapeKeyedByPrefix() {
        JsonChangeHandler withMessages = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium",
                "debezium", Map.of("name", "dbserver1"), "message-topic", "messages")), CLOCK);
        ChangeEvent message = ChangeEvent.builder(Operation.MESSAGE).keyColumns(List.of()).transactionId(771)
                .lsn(Lsn.parse("16/B374D848")).commitLsn(Lsn.parse("16/B374D900")).commitTime(COMMIT)
                .position(new Position(Lsn.parse("16/B374D848"), 4))
                .message(new LogicalMessage("audit", "hi".getBytes(StandardCharsets.UTF_8), true)).build();

        OutRecord record = withMessages.handle(message).get(0);

        assertThat(record.topic()).isEqualTo("messages");
        assertThat(text(record.key())).contains("\"name\":\"io.debezium.connector.postgresql.MessageKey\"")
                .endsWith("\"payload\":{\"prefix\":\"audit\"}}");
        assertThat(text(record.value())).contains("\"name\":\"io.debezium.connector.postgresql.MessageValue\",\"version\":1")
                .contains("\"payload\":{\"op\":\"m\",\"ts_ms\":1714979289010,\"source\":{")
                .contains("\"field\":\"source\"},{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,\"field\":\"id\"}")
                .contains("{\"type\":\"bytes\",\"optional\":true,\"field\":\"content\"}],\"optional\":true,"
                        + "\"name\":\"io.debezium.connector.postgresql.Message\",\"version\":1,\"field\":\"message\"}")
                .endsWith("\"transaction\":null,\"message\":{\"prefix\":\"audit\",\"content\":\"aGk=\"}}}");
        assertThat(text(record.key())).contains("\"name\":\"io.debezium.connector.postgresql.MessageKey\",\"version\":1");
    }

    @Test
    void logicalMessageContentFollowsBinaryHandlingMode() {
        JsonChangeHandler hex = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium", "message-topic", "messages",
                "debezium", Map.of("binary.handling.mode", "hex"))), CLOCK);
        ChangeEvent message = ChangeEvent.builder(Operation.MESSAGE).keyColumns(List.of()).transactionId(771)
                .lsn(Lsn.parse("16/B374D848")).commitLsn(Lsn.parse("16/B374D900")).commitTime(COMMIT)
                .position(new Position(Lsn.parse("16/B374D848"), 4))
                .message(new LogicalMessage("audit", "hi".getBytes(StandardCharsets.UTF_8), true)).build();

        String value = text(hex.handle(message).get(0).value());

        assertThat(value).contains("{\"type\":\"string\",\"optional\":true,\"field\":\"content\"}")
                .endsWith("\"message\":{\"prefix\":\"audit\",\"content\":\"6869\"}}}");
    }

    @Test
    void preciseDecimalRefusesNaNAndNamesTheSettingThatKeepsIt() {
        List<Column> columns = List.of(new Column("id", 23, "int4", -1, true), new Column("amount", 1700, "numeric", -1, false));
        ChangeEvent event = event(Operation.INSERT).after(new Row(columns, new Object[] {1, SpecialValue.NAN})).build();

        assertThatThrownBy(() -> handler.handle(event)).hasMessageContaining("\"amount\"").hasMessageContaining("NaN")
                .hasMessageContaining("pgcdc.handler.json.debezium.decimal.handling.mode = string");

        JsonChangeHandler asString = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium",
                "debezium", Map.of("decimal.handling.mode", "string"))), CLOCK);
        assertThat(text(asString.handle(event).get(0).value())).contains("\"after\":{\"id\":1,\"amount\":\"NaN\"}");
    }

    @Test
    void schemalessEnvelopeIsThePayloadAloneWithTheSameEncodings() {
        JsonChangeHandler schemaless = new JsonChangeHandler(JsonHandlerSettings.of(Map.of("envelope", "debezium-schemaless")), CLOCK);
        List<Column> columns = List.of(new Column("id", 23, "int4", -1, true), new Column("amount", 1700, "numeric", (10 << 16 | 2) + 4, false));

        OutRecord record = schemaless.handle(event(Operation.INSERT).after(new Row(columns, new Object[] {1, new BigDecimal("12.34")})).build()).get(0);

        assertThat(text(record.key())).isEqualTo("{\"id\":1}");
        assertThat(text(record.value())).startsWith("{\"before\":null,\"after\":{\"id\":1,\"amount\":\"BNI=\"},\"source\":{");
    }

    @Test
    void readsDebeziumsOptionNamesFromTheDebeziumSection() {
        Map<String, Object> section = Map.of("envelope", "debezium", "debezium", Map.of(
                "decimal", Map.of("handling", Map.of("mode", "string")),
                "time", Map.of("precision", Map.of("mode", "connect")),
                "interval", Map.of("handling", Map.of("mode", "string")),
                "binary", Map.of("handling", Map.of("mode", "hex")),
                "hstore", Map.of("handling", Map.of("mode", "map")),
                "tombstones", Map.of("on", Map.of("delete", false))));

        JsonHandlerSettings settings = JsonHandlerSettings.from(new PluginConfig("pgcdc.handler.json", section));

        assertThat(settings.debeziumEncoding()).isEqualTo(new DebeziumEncoding(DecimalHandlingMode.STRING, TimePrecisionMode.CONNECT,
                IntervalHandlingMode.STRING, BinaryHandlingMode.HEX, HstoreHandlingMode.MAP));
        assertThat(settings.tombstonesOnDelete()).isFalse();
    }

    @Test
    void rejectsAnUnknownModeNamingTheKeyAndTheChoices() {
        Map<String, Object> section = Map.of("debezium", Map.of("decimal", Map.of("handling", Map.of("mode", "exact"))));

        assertThatThrownBy(() -> JsonHandlerSettings.from(new PluginConfig("pgcdc.handler.json", section)))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("pgcdc.handler.json.debezium.decimal.handling.mode = \"exact\" is not allowed; allowed: precise, double, string");
    }

    /** The {@code schema} part of a document: everything before {@code ,"payload":}. */
    private static String schemaOf(String document) {
        return document.substring(0, document.indexOf(",\"payload\":"));
    }

    private static Row user(int id, String name) {
        return new Row(USER_COLUMNS, new Object[] {id, name, Instant.parse("2024-01-02T03:04:05.678Z")});
    }

    private static ChangeEvent.Builder event(Operation operation) {
        return ChangeEvent.builder(operation).table(USERS).keyColumns(List.of()).transactionId(771)
                .lsn(Lsn.parse("16/B374D848")).commitLsn(Lsn.parse("16/B374D900")).commitTime(COMMIT)
                .position(new Position(Lsn.parse("16/B374D848"), 4));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A golden file with the whitespace outside strings removed, as pgcdc writes it. */
    static String golden(String name) {
        try (InputStream in = DebeziumEnvelopeTest.class.getResourceAsStream(name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            String pretty = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            StringBuilder compact = new StringBuilder(pretty.length());
            boolean inString = false;
            for (int i = 0; i < pretty.length(); i++) {
                char c = pretty.charAt(i);
                if (inString) {
                    compact.append(c);
                    if (c == '\\') {
                        compact.append(pretty.charAt(++i));
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (!Character.isWhitespace(c)) {
                    compact.append(c);
                    inString = c == '"';
                }
            }
            return compact.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
