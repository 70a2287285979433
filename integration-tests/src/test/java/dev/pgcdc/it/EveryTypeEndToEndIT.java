package dev.pgcdc.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.it.service.ChangeRecord;
import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ServiceFixture;
import dev.pgcdc.it.service.TopicReader;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged service streams a table with (nearly) every built-in PostgreSQL type, and each value
 * in the topic is PostgreSQL's own rendering of it ({@code to_json}, or the {@code ::text} output for
 * types JSON has no form for), in the json handler's documented form: numbers and booleans as JSON
 * numbers and booleans, numeric and money as strings of all digits, bytea as base64, times in
 * ISO-8601 (timestamptz in UTC), intervals as ISO-8601 durations, arrays as nested JSON arrays,
 * infinities as {@code "Infinity"}/{@code "-Infinity"}.
 */
@TestEnvironment
class EveryTypeEndToEndIT {

    @RegisterExtension
    final ServiceFixture service = ServiceFixture.named("every_type");

    /** How a column's JSON is compared with PostgreSQL's: as JSON, or as the time it denotes (the two spell fractions differently). */
    enum Comparison { JSON, DATE, TIME, TIMETZ, TIMESTAMP, TIMESTAMPTZ }

    /**
     * A column, three values (row 1, row 2, row 1 after its update; row 3 is all NULL), and the SQL
     * that renders the value the topic must hold, {@code %s} standing for the column of alias {@code t}.
     */
    record Column(String name, String type, List<String> values, String expected, Comparison comparison) {
        Column(String name, String type, List<String> values, String expected) {
            this(name, type, values, expected, Comparison.JSON);
        }
    }

    private static final String AS_JSON = "to_json(%s)";
    private static final String AS_TEXT = "to_json(%s::text)";

    private static List<Column> columns(String mood, String positive, String pair) {
        return List.of(
                new Column("c_bool", "boolean", List.of("true", "false", "false"), AS_JSON),
                new Column("c_int2", "smallint", List.of("1", "-32768", "32767"), AS_JSON),
                new Column("c_int4", "integer", List.of("2", "-2147483648", "2147483647"), AS_JSON),
                new Column("c_int8", "bigint", List.of("3", "-9223372036854775808", "9223372036854775807"), AS_JSON),
                // to_json renders oid as a string; the event has it as a number
                new Column("c_oid", "oid", List.of("4", "0", "4294967295"), "to_json(%s::text::bigint)"),
                new Column("c_float4", "real", List.of("3.14", "'NaN'", "'-Infinity'"), AS_JSON),
                new Column("c_float8", "double precision", List.of("2.718281828459045", "'Infinity'", "1.5e300"), AS_JSON),
                // numeric and money: a string of all the digits, never a double
                new Column("c_numeric", "numeric", List.of("12345678901234567890.123456789012", "'NaN'", "'-Infinity'"), AS_TEXT),
                new Column("c_numeric_scaled", "numeric(12,4)", List.of("1.5", "0", "-99999999.9999"), AS_TEXT),
                new Column("c_money", "money", List.of("1234.56", "-0.01", "92233720368547758.07"), "to_json(%s::numeric::text)"),
                new Column("c_char", "character(5)", List.of("'ab'", "'abcde'", "''"), AS_JSON),
                new Column("c_varchar", "varchar(40)", List.of("'héllo wörld'", "''", "'ünïcödé 🐘'"), AS_JSON),
                new Column("c_text", "text", List.of("E'quote \" backslash \\\\ newline \\n tab \\t bell \\u0007 elephant 🐘'", "''", "'NULL'"),
                        AS_JSON),
                new Column("c_name", "name", List.of("'pg_catalog'", "'x'", "'a name with spaces'"), AS_JSON),
                new Column("c_char1", "\"char\"", List.of("'a'", "'Z'", "'0'"), AS_JSON),
                // bytea: base64 on one line (PostgreSQL's encode() breaks lines every 76 characters)
                new Column("c_bytea", "bytea", List.of("'\\x00ff10'", "'\\x'", "decode(repeat('ab', 100), 'hex')"),
                        "to_json(translate(encode(%s, 'base64'), E'\\n', ''))"),
                new Column("c_uuid", "uuid", List.of("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'",
                        "'ffffffff-ffff-ffff-ffff-ffffffffffff'"), AS_JSON),
                // json and jsonb: their text, as a string
                new Column("c_json", "json", List.of("'{\"b\": [1, 2.50], \"a\": null}'", "'\"just a string\"'", "'[]'"), AS_TEXT),
                new Column("c_jsonb", "jsonb", List.of("'{\"b\": [1, 2.50], \"a\": {\"x\": \"y\"}}'", "'null'", "'{\"k\": \"v\\u00e9\"}'"),
                        AS_TEXT),
                // xml: its output function's text, which drops a default declaration (xml::text would keep it)
                new Column("c_xml", "xml", List.of("'<a attr=\"1\">text &amp; more</a>'", "'<?xml version=\"1.0\"?><root/>'", "'plain content'"),
                        AS_JSON),
                new Column("c_date", "date", List.of("'2024-02-29'", "'infinity'", "'0044-03-15 BC'"), AS_JSON, Comparison.DATE),
                // the source documents time '24:00:00' as LocalTime.MAX (see time())
                new Column("c_time", "time", List.of("'12:30:05.5'", "'00:00:00'", "'24:00:00'"), AS_JSON, Comparison.TIME),
                new Column("c_timetz", "timetz", List.of("'12:30:05.123456+05:30'", "'00:00:00-08'", "'23:59:59.999999+14'"), AS_JSON,
                        Comparison.TIMETZ),
                new Column("c_timestamp", "timestamp", List.of("'2024-02-29 23:59:59.999999'", "'-infinity'", "'1970-01-01 00:00:00'"),
                        AS_JSON, Comparison.TIMESTAMP),
                new Column("c_timestamptz", "timestamptz", List.of("'2024-02-29 23:59:59.5+02'", "'infinity'",
                        "'1999-12-31 23:59:59.000001-12'"), AS_JSON, Comparison.TIMESTAMPTZ),
                // rendered by a session with intervalstyle = iso_8601
                new Column("c_interval", "interval", List.of("'1 year 2 mons 3 days 04:05:06.5'", "'0'",
                        "'-1 year -2 mons +3 days -04:05:06.000001'"), AS_TEXT),
                new Column("c_inet", "inet", List.of("'192.168.0.1/24'", "'::1'", "'2001:db8::ff00:42:8329/64'"), AS_JSON),
                new Column("c_cidr", "cidr", List.of("'10.0.0.0/8'", "'::/0'", "'192.168.100.128/25'"), AS_JSON),
                new Column("c_macaddr", "macaddr", List.of("'08:00:2b:01:02:03'", "'ff:ff:ff:ff:ff:ff'", "'00:00:00:00:00:00'"), AS_JSON),
                new Column("c_bit", "bit(4)", List.of("B'1010'", "B'0000'", "B'1111'"), AS_JSON),
                new Column("c_varbit", "bit varying(8)", List.of("B'101'", "B''", "B'11111111'"), AS_JSON),
                new Column("c_point", "point", List.of("'(1.5,2)'", "'(0,0)'", "'(-1,-1e10)'"), AS_TEXT),
                new Column("c_int_matrix", "integer[]", List.of("'{{1,NULL},{3,4}}'", "'{}'", "'{NULL}'"), AS_JSON),
                new Column("c_text_array", "text[]", List.of(
                        "ARRAY['a,b', 'c\"d', NULL, '', 'NULL', 'back\\slash', ' spaced ', '{brace}']", "'{}'", "ARRAY['é', '🐘']"),
                        AS_JSON),
                // numeric elements are strings, as numeric values are
                new Column("c_numeric_array", "numeric[]", List.of("'{1.50,NaN,-2}'", "'{}'", "'{{1,2},{3,4}}'"), "to_json(%s::text[])"),
                new Column("c_enum", mood, List.of("'happy'", "'sad'", "'in between'"), AS_JSON),
                // a domain is its base type: a number here
                new Column("c_domain", positive, List.of("42", "1", "2147483647"), AS_JSON),
                new Column("c_int4range", "int4range", List.of("'[1,10)'", "'empty'", "'(,5]'"), AS_TEXT),
                new Column("c_numrange", "numrange", List.of("'[1.5,2.5]'", "'(,)'", "'(0,1)'"), AS_TEXT),
                new Column("c_daterange", "daterange", List.of("'[2024-01-01,2024-02-01)'", "'empty'", "'[2024-01-01,infinity)'"), AS_TEXT),
                new Column("c_composite", pair, List.of("ROW(1, 'a b,\"c\"')", "ROW(NULL, NULL)", "ROW(-1, '')"), AS_TEXT));
    }

    @Test
    void everyValueInTheTopicIsPostgresqlsOwnRenderingOfIt(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        String table = service.table();
        String mood = TestNames.unique("mood");
        String positive = TestNames.unique("positive");
        String pair = TestNames.unique("pair");
        String topic = service.topic();
        List<Column> columns = columns(mood, positive, pair);
        postgres.execute(
                "CREATE TYPE " + mood + " AS ENUM ('happy', 'sad', 'in between')",
                "CREATE DOMAIN " + positive + " AS integer CHECK (VALUE > 0)",
                "CREATE TYPE " + pair + " AS (n integer, label text)",
                "CREATE TABLE " + table + " (id integer PRIMARY KEY, "
                        + columns.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", ")) + ")");
        service.config().table(table, "FULL", topic);

        try (PgcdcProcess pgcdc = service.start("service");
             Connection session = postgres.connect()) {
            try (Statement statement = session.createStatement()) {
                statement.execute("SET intervalstyle = iso_8601"); // the form the json handler writes intervals in
            }
            Writer writer = new Writer(session, table, columns);
            List<ExpectedChange> expected = new ArrayList<>();
            Map<String, Object> row1 = writer.insert(1, 0, expected);
            Map<String, Object> row2 = writer.insert(2, 1, expected);
            writer.insertNulls(3, expected);
            writer.update(1, 2, row1, expected);
            writer.delete(2, row2, expected);

            List<ChangeRecord> records = TopicReader.of(kafka).awaitAtLeast(topic, expected.size(), Duration.ofSeconds(60));
            assertThat(records).as("records in %s", topic).hasSize(expected.size());
            Iterator<ExpectedChange> changes = expected.iterator();
            for (ChangeRecord record : records) {
                ExpectedChange change = changes.next();
                assertThat(actual(record, columns)).as("record %d", record.offset()).isEqualTo(change.asRecord());
                assertSource(record.source(), change);
                assertProcessingTime(record, change);
            }
        }
    }

    private static void assertSource(JsonNode source, ExpectedChange change) {
        Lsn lsn = Lsn.parse(source.get("lsn").asText());
        assertThat(lsn).as("source.lsn: where the change's WAL record starts, between the WAL positions around the statement")
                .isBetween(change.walBefore(), change.walAfter());
        Instant commitTime = Instant.parse(source.get("commitTime").asText());
        assertThat(commitTime).as("source.commitTime").isBetween(change.clockBefore(), change.clockAfter());
    }

    private static void assertProcessingTime(ChangeRecord record, ExpectedChange change) {
        assertThat(Instant.ofEpochMilli(record.value().get("tsMs").asLong())).as("tsMs, when the service handled the change")
                .isBetween(change.clockBefore().truncatedTo(ChronoUnit.MILLIS), Instant.now());
    }

    /** The parts of a record that must equal PostgreSQL's view exactly. */
    record RecordView(String op, JsonNode key, Map<String, Object> before, Map<String, Object> after, String schema, String table,
                      long txId) {
    }

    private static RecordView actual(ChangeRecord record, List<Column> columns) {
        JsonNode source = record.source();
        return new RecordView(record.op(), record.key(), row(record.before(), columns), row(record.after(), columns),
                source.get("schema").asText(), source.get("table").asText(), source.get("txId").asLong());
    }

    /** A row image as comparable values, column by column; null for a JSON null. */
    private static Map<String, Object> row(JsonNode image, List<Column> columns) {
        if (image == null || image.isNull()) {
            return null;
        }
        Map<String, Object> values = new LinkedHashMap<>();
        image.fields().forEachRemaining(field -> values.put(field.getKey(), comparable(field.getValue(), comparisonOf(field.getKey(), columns))));
        return values;
    }

    private static Comparison comparisonOf(String column, List<Column> columns) {
        return columns.stream().filter(c -> c.name().equals(column)).map(Column::comparison).findFirst().orElse(Comparison.JSON);
    }

    /** The value a JSON node denotes under {@code comparison}: times parsed, PostgreSQL's {@code infinity} spelled as the handler does. */
    static Object comparable(JsonNode node, Comparison comparison) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (comparison == Comparison.JSON) {
            return node;
        }
        String text = node.asText();
        if (text.equals("infinity") || text.equals("Infinity")) {
            return "Infinity";
        }
        if (text.equals("-infinity") || text.equals("-Infinity")) {
            return "-Infinity";
        }
        return switch (comparison) {
            case DATE -> date(text);
            case TIME -> time(text);
            case TIMETZ -> OffsetTime.parse(text, TIME_WITH_OFFSET);
            case TIMESTAMP -> LocalDateTime.parse(text);
            case TIMESTAMPTZ -> OffsetDateTime.parse(text).toInstant();
            case JSON -> node;
        };
    }

    /** {@code 12:30:05.5+05:30}, and PostgreSQL's {@code 00:00:00-08} with the offset's minutes left out. */
    private static final DateTimeFormatter TIME_WITH_OFFSET = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_TIME).parseLenient().appendOffset("+HH:MM:ss", "Z").toFormatter();

    /** ISO-8601, or PostgreSQL's {@code 0044-03-15 BC}: ISO year 1 - 44 = -43. */
    private static LocalDate date(String text) {
        if (text.endsWith(" BC")) {
            LocalDate date = LocalDate.parse(text.substring(0, text.length() - 3));
            return date.withYear(1 - date.getYear());
        }
        return LocalDate.parse(text);
    }

    /** PostgreSQL's {@code 24:00:00} is {@link LocalTime#MAX} (cdc-postgres-source README, "Values"). */
    private static LocalTime time(String text) {
        return text.equals("24:00:00") ? LocalTime.MAX : LocalTime.parse(text);
    }

    /** A change the test made, as PostgreSQL saw it. */
    record ExpectedChange(String op, int id, Map<String, Object> before, Map<String, Object> after, String schema, String table,
                          long txId, Lsn walBefore, Lsn walAfter, Instant clockBefore, Instant clockAfter) {

        RecordView asRecord() {
            return new RecordView(op, ChangeRecord.parse("{\"id\":" + id + "}"), before, after, schema, table, txId);
        }
    }

    /** Makes the changes, one transaction each, and records how PostgreSQL renders each row image right after it. */
    private static final class Writer {
        private final Connection session;
        private final String table;
        private final List<Column> columns;

        Writer(Connection session, String table, List<Column> columns) {
            this.session = session;
            this.table = table;
            this.columns = columns;
        }

        Map<String, Object> insert(int id, int valueIndex, List<ExpectedChange> changes) throws SQLException {
            String sql = "INSERT INTO " + table + " VALUES (" + id + ", "
                    + columns.stream().map(c -> c.values().get(valueIndex)).collect(Collectors.joining(", ")) + ") RETURNING txid_current()";
            return change("c", id, sql, null, changes);
        }

        void insertNulls(int id, List<ExpectedChange> changes) throws SQLException {
            change("c", id, "INSERT INTO " + table + " (id) VALUES (" + id + ") RETURNING txid_current()", null, changes);
        }

        Map<String, Object> update(int id, int valueIndex, Map<String, Object> before, List<ExpectedChange> changes) throws SQLException {
            String sql = "UPDATE " + table + " SET "
                    + columns.stream().map(c -> c.name() + " = " + c.values().get(valueIndex)).collect(Collectors.joining(", "))
                    + " WHERE id = " + id + " RETURNING txid_current()";
            return change("u", id, sql, before, changes);
        }

        void delete(int id, Map<String, Object> before, List<ExpectedChange> changes) throws SQLException {
            change("d", id, "DELETE FROM " + table + " WHERE id = " + id + " RETURNING txid_current()", before, changes);
        }

        private Map<String, Object> change(String op, int id, String sql, Map<String, Object> before, List<ExpectedChange> changes)
                throws SQLException {
            WalAndClock start = walAndClock();
            long txId;
            try (Statement statement = session.createStatement(); ResultSet result = statement.executeQuery(sql)) {
                result.next();
                txId = result.getLong(1) & 0xFFFF_FFFFL; // pgoutput sends the 32-bit xid
            }
            Map<String, Object> after = op.equals("d") ? null : image(id);
            WalAndClock end = walAndClock();
            changes.add(new ExpectedChange(op, id, before, after, "public", table, txId, start.lsn(), end.lsn(), start.clock(), end.clock()));
            return after;
        }

        /** The row as the topic must show it: each column through its expected-rendering SQL. */
        private Map<String, Object> image(int id) throws SQLException {
            String select = "SELECT to_json(t.id)::text AS id, " + columns.stream()
                    .map(c -> c.expected().formatted("t." + c.name()) + "::text AS " + c.name())
                    .collect(Collectors.joining(", ")) + " FROM " + table + " t WHERE id = " + id;
            Map<String, Object> values = new LinkedHashMap<>();
            try (Statement statement = session.createStatement(); ResultSet result = statement.executeQuery(select)) {
                result.next();
                values.put("id", ChangeRecord.parse(result.getString("id")));
                for (Column column : columns) {
                    String json = result.getString(column.name());
                    values.put(column.name(), json == null ? null : comparable(ChangeRecord.parse(json), column.comparison()));
                }
            }
            return values;
        }

        private WalAndClock walAndClock() throws SQLException {
            try (Statement statement = session.createStatement();
                 ResultSet result = statement.executeQuery("SELECT pg_current_wal_lsn()::text, clock_timestamp()")) {
                result.next();
                return new WalAndClock(Lsn.parse(result.getString(1)), result.getObject(2, OffsetDateTime.class).toInstant());
            }
        }
    }

    private record WalAndClock(Lsn lsn, Instant clock) {
    }
}
