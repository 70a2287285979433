package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.value.Interval;
import dev.pgcdc.api.value.SpecialValue;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every built-in type, decoded by the source, compared value by value with the same row rendered by
 * PostgreSQL itself: {@code to_jsonb(column)} (ISO 8601 for date/time types, numbers, nested arrays)
 * or another independent rendering where JSON would only repeat the text form the decoder reads
 * (money as numeric, bytea as base64, intervals as their extracted fields).
 */
class TypeOracleIT {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES).build();
    private static final String INTERVAL_FIELDS = "json_build_array(extract(year from %1$s) * 12 + extract(month from %1$s), "
            + "extract(day from %1$s), extract(hour from %1$s) * 3600000000 + extract(minute from %1$s) * 60000000 + extract(microseconds from %1$s))";

    /** The oracle of a one-dimensional array: {@code expression} of each element {@code x}. */
    private static String perElement(String expression) {
        return "CASE WHEN %1$s IS NULL THEN NULL ELSE COALESCE((SELECT jsonb_agg(" + expression + ") FROM unnest(%1$s) x), '[]') END";
    }

    /** A column: name, type, the oracle's SQL expression ({@code %s} is the column), and whether its values are JSON documents. */
    private record Col(String name, String type, String oracle, boolean json) {
        Col(String name, String type) {
            this(name, type, "to_jsonb(%s)", false);
        }

        Col(String name, String type, String oracle) {
            this(name, type, oracle, false);
        }
    }

    private static final List<Col> COLUMNS = List.of(
            new Col("c_bool", "bool"), new Col("c_int2", "int2"), new Col("c_int4", "int4"), new Col("c_int8", "int8"),
            new Col("c_oid", "oid", "to_jsonb(%s::int8)"), new Col("c_float4", "float4"), new Col("c_float8", "float8"),
            new Col("c_numeric", "numeric"), new Col("c_money", "money", "to_jsonb(%s::numeric)"),
            new Col("c_char", "\"char\"", "to_jsonb(%s::text)"), new Col("c_bpchar", "char(5)"), new Col("c_varchar", "varchar(40)"),
            new Col("c_text", "text"), new Col("c_name", "name"), new Col("c_bytea", "bytea", "to_jsonb(encode(%s, 'base64'))"),
            new Col("c_uuid", "uuid"), new Col("c_json", "json", "to_jsonb(%s)", true), new Col("c_jsonb", "jsonb", "to_jsonb(%s)", true),
            new Col("c_xml", "xml"), new Col("c_date", "date"), new Col("c_time", "time"), new Col("c_timetz", "timetz"),
            new Col("c_timestamp", "timestamp"), new Col("c_timestamptz", "timestamptz"),
            new Col("c_interval", "interval", INTERVAL_FIELDS), new Col("c_inet", "inet"), new Col("c_cidr", "cidr"),
            new Col("c_macaddr", "macaddr"), new Col("c_macaddr8", "macaddr8"), new Col("c_bit", "bit(4)"), new Col("c_varbit", "varbit(10)"),
            new Col("c_enum", "%mood"), new Col("c_domain", "%posint"), new Col("c_int4range", "int4range", "to_jsonb(%s::text)"),
            new Col("c_tstzrange", "tstzrange", "to_jsonb(%s::text)"), new Col("c_composite", "%pair", "to_jsonb(%s::text)"),
            new Col("c_point", "point", "to_jsonb(%s::text)"), new Col("c_box", "box", "to_jsonb(%s::text)"),
            new Col("c_tsvector", "tsvector", "to_jsonb(%s::text)"), new Col("c_pg_lsn", "pg_lsn", "to_jsonb(%s::text)"),
            new Col("a_bool", "bool[]"), new Col("a_int2", "int2[]"), new Col("a_int4", "int4[]"), new Col("a_int8", "int8[]"),
            new Col("a_int4_2d", "int4[][]"), new Col("a_float8", "float8[]"), new Col("a_numeric", "numeric[]"),
            new Col("a_money", "money[]", "to_jsonb(%s::numeric[])"), new Col("a_text", "text[]"), new Col("a_varchar", "varchar[]"),
            new Col("a_bytea", "bytea[]", perElement("encode(x, 'base64')")), new Col("a_uuid", "uuid[]"),
            new Col("a_jsonb", "jsonb[]", "to_jsonb(%s)", true), new Col("a_date", "date[]"), new Col("a_time", "time[]"),
            new Col("a_timestamp", "timestamp[]"), new Col("a_timestamptz", "timestamptz[]"),
            new Col("a_interval", "interval[]", perElement(INTERVAL_FIELDS.replace("%1$s", "x"))),
            new Col("a_inet", "inet[]"), new Col("a_enum", "%mood[]"), new Col("a_domain", "%posint[]"),
            new Col("a_box", "box[]", perElement("x::text")),
            new Col("a_composite", "%pair[]", perElement("x::text")));

    /** Rows of literals, one per column in order; the first column, id, is added. */
    private static final List<List<String>> ROWS = List.of(
            List.of("true", "12", "123456", "1234567890123", "4000000000", "1.5", "3.141592653589793", "12.50", "1234.56", "'x'", "'ab'",
                    "'plain'", "'text'", "'a_name'", "'\\x0001feff'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'{\"a\": [1, 2.50, {\"b\": null}]}'",
                    "'{\"b\": 1, \"a\": [true, \"x\"]}'", "'<a b=\"1\">x</a>'", "'2024-02-29'", "'13:45:06.000789'", "'13:45:06.5+05:30'",
                    "'2024-01-15 10:15:30.123456'", "'2024-01-15 10:15:30.5+01'", "'1 year 2 mons 3 days 04:05:06.5'", "'192.168.0.1/24'",
                    "'10.0.0.0/8'", "'08:00:2b:01:02:03'", "'08:00:2b:01:02:03:04:05'", "B'1010'", "B'101'", "'happy'", "42", "'[1,10)'",
                    "'[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)'", "ROW(1, 'a b')", "'(1.5,2)'", "'((0,0),(1,1))'", "'a fat cat'",
                    "'16/B374D848'", "'{t,f,NULL}'", "'{1,-2}'", "'{1,2,NULL,4}'", "'{9223372036854775807}'", "'{{1,2},{3,4}}'",
                    "'{1.5,NaN,-Infinity}'", "'{1.10,NULL,-3}'", "'{1.00,-2.50}'", "'{plain,\"with space\",\"q\\\"uote\",\"back\\\\slash\",\"\",NULL,\"NULL\",\"a,b\",\"{}\"}'",
                    "'{x,y}'", "'{\"\\\\x00ff\",\"\\\\x\"}'", "'{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}'", "ARRAY['{\"a\": 1}'::jsonb, '[1, \"x\"]'::jsonb]",
                    "'{2024-01-15,infinity}'", "'{00:00:00,23:59:59.999999}'", "'{\"2024-01-15 10:15:30\",\"1999-12-31 23:59:59.5\"}'",
                    "'{\"2024-01-15 10:15:30+00\",NULL}'", "'{\"1 day\",\"-00:00:01\"}'", "'{::1,10.1.2.3/32}'", "'{happy,sad}'", "'{1,2}'",
                    "'{(1,1),(0,0);(3,3),(2,2)}'", "ARRAY[ROW(1, 'x')::%pair, ROW(2, 'y \"z\"')::%pair]"),
            List.of("false", "-32768", "-2147483648", "-9223372036854775808", "0", "'NaN'", "'-Infinity'", "'-123456789012345678901234567890.123456789'",
                    "'-92233720368547758.08'", "'\"'", "'abcde'", "'quote''s \"double\" \\back'", "'grüße 世界 😀'", "''", "'\\x'",
                    "'00000000-0000-0000-0000-000000000000'", "'\"just a string\"'", "'[]'", "'<?xml version=\"1.0\"?><r/>'", "'0044-03-15 BC'",
                    "'24:00:00'", "'00:00:00-15:59'", "'4713-01-01 00:00:00 BC'", "'-infinity'", "'-1 years -2 mons +3 days -04:05:06.000001'",
                    "'::1/128'", "'2001:db8::/32'", "'ff:ff:ff:ff:ff:ff'", "'00:00:00:00:00:00:00:00'", "B'0000'", "B''", "'sad'", "1",
                    "'empty'", "'(,)'", "ROW(NULL, '')", "'(0,0)'", "'((1,1),(1,1))'", "''", "'0/0'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'",
                    "'{Infinity}'", "'{NaN}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{-infinity}'", "'{}'", "'{}'", "'{}'",
                    "'{}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'"),
            List.of("NULL", "NULL", "NULL", "NULL", "NULL", "'Infinity'", "'1e-300'", "'Infinity'", "NULL", "NULL", "NULL", "NULL", "NULL",
                    "NULL", "NULL", "NULL", "'null'", "'null'", "NULL", "'infinity'", "NULL", "NULL", "'infinity'", "'1800-01-01 00:00:00+00:53:28'",
                    "'00:00:00'", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                    "NULL", "NULL", "'{NULL}'", "NULL", "'{{NULL,1},{2,NULL}}'", "NULL", "'[0:1]={7,8}'", "NULL", "'{-Infinity}'", "NULL",
                    "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
                    "NULL"));

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("types");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final String prefix = TestNames.unique("t");

    @Test
    void decodesEveryBuiltInTypeLikePostgresRendersIt() throws Exception {
        db.execute("CREATE TYPE " + prefix + "mood AS ENUM ('happy', 'sad')",
                "CREATE DOMAIN " + prefix + "posint AS int4 CHECK (VALUE > 0)",
                "CREATE TYPE " + prefix + "pair AS (n int, s text)");
        StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (id int PRIMARY KEY");
        for (Col column : COLUMNS) {
            ddl.append(", ").append(column.name()).append(' ').append(column.type().replace("%", prefix));
        }
        db.execute(ddl.append(")").toString());

        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            List<String> inserts = new ArrayList<>();
            for (int r = 0; r < ROWS.size(); r++) {
                List<String> literals = ROWS.get(r);
                assertThat(literals).as("row %d", r + 1).hasSameSizeAs(COLUMNS);
                StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES (" + (r + 1));
                for (int c = 0; c < literals.size(); c++) {
                    String literal = literals.get(c).replace("%", prefix);
                    String type = COLUMNS.get(c).type().replace("%", prefix);
                    insert.append(", ").append(literal.equals("NULL") ? "NULL" : "(" + literal + ")::" + type);
                }
                inserts.add(insert.append(")").toString());
            }
            db.execute(inserts.toArray(String[]::new));
            List<ChangeEvent> events = harness.take(ROWS.size(), Duration.ofSeconds(30));
            int compared = 0;
            for (ChangeEvent event : events) {
                compared += compareWithOracle(event.after());
            }
            assertThat(compared).isEqualTo(ROWS.size() * COLUMNS.size());
        }
    }

    @Test
    void spellsDateTimeInfinitiesAsPostgresDoesIncludingIntervalsOfPostgres17() throws Exception {
        boolean intervals = db.serverMajorVersion() >= 17;
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, d date, ts timestamp, tstz timestamptz, n numeric, f float8"
                + (intervals ? ", i interval" : "") + ")");
        try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table).build())) {
            db.execute("INSERT INTO " + table + " VALUES (1, 'infinity', 'infinity', 'infinity', 'Infinity', 'Infinity'"
                    + (intervals ? ", 'infinity'" : "") + ")", "INSERT INTO " + table + " VALUES (2, '-infinity', '-infinity', '-infinity', "
                    + "'-Infinity', '-Infinity'" + (intervals ? ", '-infinity'" : "") + ")");
            List<ChangeEvent> events = harness.take(2, Duration.ofSeconds(30));
            for (ChangeEvent event : events) {
                Row row = event.after();
                int id = (Integer) row.value("id");
                for (String column : intervals ? List.of("d", "ts", "tstz", "n", "f", "i") : List.of("d", "ts", "tstz", "n", "f")) {
                    String text = db.queryValue(String.class, "SELECT " + column + "::text FROM " + table + " WHERE id = " + id);
                    assertThat(String.valueOf(row.value(column))).as("row %d, column %s", id, column).isEqualTo(text);
                }
            }
        }
    }

    private int compareWithOracle(Row row) throws Exception {
        int id = (Integer) row.value("id");
        StringBuilder select = new StringBuilder("SELECT ");
        for (int c = 0; c < COLUMNS.size(); c++) {
            select.append(c == 0 ? "" : ", ").append(String.format(COLUMNS.get(c).oracle(), COLUMNS.get(c).name())).append("::text");
        }
        select.append(" FROM ").append(table).append(" WHERE id = ").append(id);
        try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET IntervalStyle = postgres");
            try (ResultSet oracle = statement.executeQuery(select.toString())) {
                assertThat(oracle.next()).isTrue();
                for (int c = 0; c < COLUMNS.size(); c++) {
                    Col column = COLUMNS.get(c);
                    String text = oracle.getString(c + 1);
                    JsonNode expected = text == null ? JSON.nullNode() : JSON.readTree(text);
                    String where = "row " + id + ", column " + column.name() + " (" + column.type() + "): decoded " + describe(row.value(column.name()))
                            + ", PostgreSQL " + expected;
                    assertMatches(row.value(column.name()), expected, column.json(), where);
                }
            }
        }
        return COLUMNS.size();
    }

    private static void assertMatches(Object decoded, JsonNode expected, boolean json, String where) throws Exception {
        if (decoded == null || expected.isNull()) {
            if (json && decoded != null) {
                assertThat(JSON.readTree((String) decoded)).as(where).isEqualTo(expected);
                return;
            }
            assertThat(decoded == null && expected.isNull()).as(where).isTrue();
            return;
        }
        if (decoded instanceof List<?> list) {
            assertThat(expected.isArray()).as(where).isTrue();
            assertThat(list).as(where).hasSize(expected.size());
            for (int i = 0; i < list.size(); i++) {
                assertMatches(list.get(i), expected.get(i), json, where);
            }
            return;
        }
        if (json) {
            assertThat(JSON.readTree((String) decoded)).as(where).isEqualTo(expected);
        } else if (decoded instanceof Boolean b) {
            assertThat(b).as(where).isEqualTo(expected.booleanValue());
        } else if (decoded instanceof Integer || decoded instanceof Long) {
            assertThat(((Number) decoded).longValue()).as(where).isEqualTo(expected.longValue());
        } else if (decoded instanceof Float f) {
            assertThat(Float.valueOf(f)).as(where).isEqualTo(Float.valueOf(expected.isTextual() ? Float.parseFloat(expected.asText()) : expected.floatValue()));
        } else if (decoded instanceof Double d) {
            assertThat(Double.valueOf(d)).as(where).isEqualTo(Double.valueOf(expected.isTextual() ? Double.parseDouble(expected.asText()) : expected.doubleValue()));
        } else if (decoded instanceof BigDecimal decimal) {
            assertThat(decimal).as(where).isEqualTo(new BigDecimal(expected.asText()));
        } else if (decoded instanceof SpecialValue special) {
            // spelled exactly as PostgreSQL spells it for the type: infinity for date/time, Infinity for numeric
            assertThat(special.text()).as(where).isEqualTo(expected.asText());
        } else if (decoded instanceof byte[] bytes) {
            assertThat(bytes).as(where).isEqualTo(Base64.getMimeDecoder().decode(expected.asText()));
        } else if (decoded instanceof UUID uuid) {
            assertThat(uuid).as(where).isEqualTo(UUID.fromString(expected.asText()));
        } else if (decoded instanceof Instant instant) {
            assertThat(instant).as(where).isEqualTo(TypeOracleIT.<OffsetDateTime>bc(expected.asText(), t -> OffsetDateTime.parse(t), (v, bc) -> v.withYear(1 - v.getYear())).toInstant());
        } else if (decoded instanceof LocalDateTime dateTime) {
            assertThat(dateTime).as(where).isEqualTo(TypeOracleIT.<LocalDateTime>bc(expected.asText(), t -> LocalDateTime.parse(t), (v, bc) -> v.withYear(1 - v.getYear())));
        } else if (decoded instanceof LocalDate date) {
            assertThat(date).as(where).isEqualTo(TypeOracleIT.<LocalDate>bc(expected.asText(), t -> LocalDate.parse(t), (v, bc) -> v.withYear(1 - v.getYear())));
        } else if (decoded instanceof LocalTime time) {
            assertThat(time).as(where).isEqualTo(expected.asText().equals("24:00:00") ? LocalTime.MAX : LocalTime.parse(expected.asText()));
        } else if (decoded instanceof OffsetTime time) {
            assertThat(time).as(where).isEqualTo(OffsetTime.parse(expected.asText()));
        } else if (decoded instanceof Interval interval) {
            assertThat(interval).as(where).isEqualTo(new Interval(expected.get(0).intValue(), expected.get(1).intValue(),
                    new BigDecimal(expected.get(2).asText()).longValueExact()));
        } else if (decoded instanceof String text) {
            assertThat(text).as(where).isEqualTo(expected.asText());
        } else {
            throw new AssertionError(where + ": unexpected Java type " + decoded.getClass());
        }
    }

    /** Parses ISO 8601 as PostgreSQL's JSON renders it; years before 1 have " BC" after them (44 BC is ISO year -43). */
    private static <T> T bc(String text, java.util.function.Function<String, T> parse, java.util.function.BiFunction<T, Boolean, T> toBc) {
        return text.endsWith(" BC") ? toBc.apply(parse.apply(text.substring(0, text.length() - 3)), true) : parse.apply(text);
    }

    private static String describe(Object value) {
        if (value instanceof byte[] bytes) {
            return "bytes " + java.util.HexFormat.of().formatHex(bytes);
        }
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }
}
