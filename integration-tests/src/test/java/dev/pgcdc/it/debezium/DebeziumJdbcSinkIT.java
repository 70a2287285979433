package dev.pgcdc.it.debezium;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pgcdc.it.service.PgcdcProcess;
import dev.pgcdc.it.service.ReplicationSlot;
import dev.pgcdc.it.service.ServiceConfig;
import dev.pgcdc.testkit.TestEnvironment;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.kafka.KafkaCluster;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that pgcdc's {@code debezium} envelope is a drop-in for Debezium's consumers: Debezium's own
 * JDBC sink connector, in Kafka Connect standalone with JsonConverter and {@code schemas.enable=true}
 * (upsert, {@code delete.enabled}, {@code primary.key.mode=record_key}, tables created by the sink),
 * copies a table pgcdc captures into another database, and the two tables are compared row by row and
 * column by column: each target value cast to the source column's type equals the source value.
 * Inserts, updates, deletes, a row of NULLs and a primary-key change (a delete of the old key and a
 * create of the new) are covered; once with Debezium's default encodings and values they keep, once with
 * {@code decimal.handling.mode = string} and {@code interval.handling.mode = string} and values that only
 * those keep (an unconstrained numeric of 32 digits, an interval of months and days). The first run maps
 * no topic: pgcdc writes to Debezium's topic name {@code <debezium.name>.public.<table>}, the one the sink
 * reads; the second maps the table to another topic, which wins over that name.
 */
@TestEnvironment
class DebeziumJdbcSinkIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // a failed run keeps the service's and the worker's output
    Path directory;

    /** A source column, its values in rows 1 and 2 and row 1's update, and the type both sides are compared as. */
    record Column(String name, String type, String value1, String value2, String update, String comparedAs) {
        Column(String name, String type, String value1, String value2, String update) {
            this(name, type, value1, value2, update, type);
        }
    }

    private static List<Column> columns(String mood, boolean exactModes) {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("c_int2", "smallint", "1", "-32768", "32767"),
                new Column("c_int4", "integer", "2", "-2147483648", "2147483647"),
                new Column("c_int8", "bigint", "3", "-9223372036854775808", "9223372036854775807"),
                new Column("c_numeric_scaled", "numeric(12,4)", "1.5", "0", "-99999999.9999"),
                new Column("c_real", "real", "3.5", "-0.25", "1e10"),
                new Column("c_double", "double precision", "2.718281828459045", "-1.5e300", "0"),
                new Column("c_bool", "boolean", "true", "false", "false"),
                new Column("c_text", "text", "E'quote \" backslash \\\\ newline \\n 🐘'", "''", "'NULL'"),
                new Column("c_varchar", "varchar(40)", "'héllo wörld'", "''", "'ünïcödé'"),
                new Column("c_char", "character(5)", "'ab'", "'abcde'", "''"),
                new Column("c_date", "date", "'2024-02-29'", "'1970-01-01'", "'1900-06-15'"),
                new Column("c_time", "time", "'12:30:05.5'", "'00:00:00'", "'23:59:59.999999'"),
                new Column("c_timestamp", "timestamp", "'2024-02-29 23:59:59.999999'", "'1970-01-01 00:00:00'", "'1900-01-01 12:00:00.5'"),
                new Column("c_timestamptz", "timestamptz", "'2024-02-29 23:59:59.5+02'", "'1999-12-31 23:59:59.000001-12'",
                        "'1970-01-01 00:00:00Z'"),
                new Column("c_uuid", "uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "'00000000-0000-0000-0000-000000000000'",
                        "'ffffffff-ffff-ffff-ffff-ffffffffffff'"),
                new Column("c_json", "json", "'{\"b\": [1, 2.50], \"a\": null}'", "'\"just a string\"'", "'[]'", "jsonb"),
                new Column("c_jsonb", "jsonb", "'{\"b\": [1, 2.50], \"a\": {\"x\": \"y\"}}'", "'null'", "'{\"k\": \"v\"}'"),
                new Column("c_bytea", "bytea", "'\\x00ff10'", "'\\x'", "decode(repeat('ab', 100), 'hex')"),
                new Column("c_int_array", "integer[]", "'{1,NULL,3}'", "'{}'", "'{-1}'"),
                new Column("c_text_array", "text[]", "ARRAY['a,b', 'c\"d', NULL, '']", "'{}'", "ARRAY['é', '🐘']"),
                // no point: the sink 3.4 writes io.debezium.data.geometry.Point with PostGIS's ST_GeomFromWKB, which the test kit has not
                new Column("c_enum", mood, "'happy'", "'sad'", "'in between'"),
                // NOT NULL: a required field; the delete's and the key change's before images carry Debezium's fallback for it
                new Column("c_not_null", "text NOT NULL DEFAULT 'dflt'", "'x'", "'y'", "'z'", "text"),
                // a domain: Debezium's schema of its base type, numeric(8,3) as a Decimal with scale 3
                new Column("c_domain", mood + "_amount", "1.5", "-2.125", "99999.999", "numeric")));
        if (exactModes) {
            // values Debezium's defaults would change: 32 digits (a double keeps 17), months and days (MicroDuration folds them into time)
            columns.add(new Column("c_numeric", "numeric", "12345678901234567890.123456789012", "-0.000000000001", "0"));
            columns.add(new Column("c_interval", "interval", "'1 year 2 mons 3 days 04:05:06.5'", "'0'", "'-1 year -2 mons +3 days -04:05:06.000001'"));
        } else {
            columns.add(new Column("c_numeric", "numeric", "1.5", "-0.25", "12345"));
            // whole seconds: the JDBC sink 3.4 binds a MicroDuration as whole seconds (Debezium fixed it later, dbz#2097)
            columns.add(new Column("c_interval", "interval", "'04:05:06'", "'0'", "'-00:00:01'"));
        }
        return columns;
    }

    @Test
    void debeziumsJdbcSinkCopiesTheTableWithDebeziumsDefaultEncodings(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        copiesTheTable(postgres, kafka, false);
    }

    @Test
    void debeziumsJdbcSinkCopiesTheTableExactlyWithStringDecimalsAndIntervals(PostgresDatabase postgres, KafkaCluster kafka) throws Exception {
        copiesTheTable(postgres, kafka, true);
    }

    private void copiesTheTable(PostgresDatabase postgres, KafkaCluster kafka, boolean exactModes) throws Exception {
        String table = TestNames.unique("dbz_types");
        String mood = TestNames.unique("mood");
        String prefix = TestNames.unique("dbz");
        // default encodings: no table-topic-mapping, the topic is Debezium's <topic.prefix>.<schema>.<table> from debezium.name;
        // exact modes: a mapped topic, which wins over that name
        String topic = kafka.createTopic(exactModes ? TestNames.unique("dbz.public.types") : prefix + ".public." + table);
        PostgresDatabase target = postgres.createDatabase(TestNames.unique("dbz_target"));
        List<Column> columns = columns(mood, exactModes);
        postgres.execute("CREATE TYPE " + mood + " AS ENUM ('happy', 'sad', 'in between')",
                "CREATE DOMAIN " + mood + "_amount AS numeric(8,3)",
                "CREATE TABLE " + table + " (id integer PRIMARY KEY, "
                        + columns.stream().map(c -> c.name() + " " + c.type()).collect(Collectors.joining(", ")) + ")");
        target.execute("CREATE TYPE " + mood + " AS ENUM ('happy', 'sad', 'in between')");
        ServiceConfig config = ServiceConfig.of(postgres, kafka)
                .publication(table + "_pub", true)
                .slot(TestNames.unique("dbz_types"), true)
                .table(table, "DEFAULT", exactModes ? topic : null)
                .with("pgcdc.handler.json.envelope = debezium")
                .with("pgcdc.handler.json.debezium.name = " + prefix);
        if (exactModes) {
            config.with("pgcdc.handler.json.debezium.decimal.handling.mode = string")
                    .with("pgcdc.handler.json.debezium.interval.handling.mode = string");
        }
        ReplicationSlot slot = new ReplicationSlot(postgres, config.slot());
        Map<String, String> sink = new LinkedHashMap<>();
        sink.put("name", TestNames.unique("jdbc_sink")); // its own consumer group: no wait for the last test's worker to leave
        sink.put("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector");
        sink.put("tasks.max", "1");
        sink.put("topics", topic);
        sink.put("connection.url", target.jdbcUrl());
        sink.put("connection.username", target.user());
        sink.put("connection.password", target.password());
        sink.put("insert.mode", "upsert");
        sink.put("delete.enabled", "true");
        sink.put("primary.key.mode", "record_key");
        sink.put("schema.evolution", "basic");
        sink.put("collection.name.format", table);
        sink.put("use.time.zone", "UTC");

        try (PgcdcProcess service = PgcdcProcess.run(config.writeTo(directory), directory, "service")) {
            slot.awaitStreamingBy(service, Duration.ofSeconds(60));
            String list = columns.stream().map(Column::name).collect(Collectors.joining(", "));
            postgres.execute(
                    "INSERT INTO " + table + " (id, " + list + ") VALUES (1, " + values(columns, 1) + ")",
                    "INSERT INTO " + table + " (id, " + list + ") VALUES (2, " + values(columns, 2) + ")",
                    "INSERT INTO " + table + " (id) VALUES (3)",
                    "INSERT INTO " + table + " (id, " + list + ") VALUES (4, " + values(columns, 1) + ")",
                    "UPDATE " + table + " SET " + columns.stream().map(c -> c.name() + " = " + c.update()).collect(Collectors.joining(", "))
                            + " WHERE id = 1",
                    "DELETE FROM " + table + " WHERE id = 2",
                    "UPDATE " + table + " SET id = 10 WHERE id = 4"); // a key change: the sink must drop row 4

            try (KafkaConnectStandalone connect = KafkaConnectStandalone.start(kafka, sink, directory)) {
                List<Map<String, Object>> expected = rows(postgres, table, columns);
                // until the copy equals the source, the worker or its task dies or the bound passes; then the comparison says which
                try {
                    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                            .until(() -> !connect.isAlive() || connect.hasFailedTask() || targetRows(target, table, columns).equals(expected));
                } catch (ConditionTimeoutException e) {
                    // reported by the assertion below, with the rows and the worker's output
                }
                List<Map<String, Object>> actual = targetRows(target, table, columns);
                assertThat(actual).as("the sink's copy of %s (source: ids %s); worker errors:\n%s\nworker output:\n%s", table,
                        expected.stream().map(row -> row.get("id")).toList(), String.join("\n", connect.errors()), connect.tail())
                        .isEqualTo(expected);
                assertThat(expected).extracting(row -> row.get("id")).containsExactly(1, 3, 10);
                // the sink created the table from pgcdc's schema: the NOT NULL column required, the others nullable
                assertThat(target.query("SELECT column_name, is_nullable FROM information_schema.columns WHERE table_name = '" + table
                        + "' AND column_name IN ('c_not_null', 'c_text') ORDER BY column_name"))
                        .containsExactly(Map.of("column_name", "c_not_null", "is_nullable", "NO"),
                                Map.of("column_name", "c_text", "is_nullable", "YES"));
            }
        } finally {
            slot.drop();
        }
    }

    private static String values(List<Column> columns, int row) {
        return columns.stream().map(c -> row == 1 ? c.value1() : c.value2()).collect(Collectors.joining(", "));
    }

    /** The source rows, each column as the text of its value in its comparison type. */
    private static List<Map<String, Object>> rows(PostgresDatabase database, String table, List<Column> columns) {
        return database.query("SELECT id, " + columns.stream().map(c -> "(" + c.name() + ")::" + c.comparedAs() + "::text AS " + c.name())
                .collect(Collectors.joining(", ")) + " FROM " + table + " ORDER BY id");
    }

    /** The target rows the same way: whatever type the sink chose for a column, cast to the source's (through text where needed). */
    private static List<Map<String, Object>> targetRows(PostgresDatabase target, String table, List<Column> columns) {
        try {
            return target.query("SELECT id, " + columns.stream().map(c -> castFromTarget(c) + "::text AS " + c.name())
                    .collect(Collectors.joining(", ")) + " FROM " + table + " ORDER BY id");
        } catch (RuntimeException e) {
            return List.of(Map.of("not readable yet", String.valueOf(e.getMessage())));
        }
    }

    private static String castFromTarget(Column column) {
        // bytea and arrays cast directly; the rest through text, which every type the sink may choose has
        if (column.type().equals("bytea") || column.type().endsWith("[]")) {
            return "(" + column.name() + ")::" + column.comparedAs();
        }
        return "(" + column.name() + ")::text::" + column.comparedAs();
    }
}
