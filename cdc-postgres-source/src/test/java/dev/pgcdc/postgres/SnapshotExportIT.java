package dev.pgcdc.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pgcdc.api.SourceException;
import dev.pgcdc.api.event.ChangeEvent;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.position.Lsn;
import dev.pgcdc.api.snapshot.ExportedSnapshot;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgSnapshotExporter;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.SameValues;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The source's side of snapshots against a real server: a slot created with an exported snapshot whose
 * consistent point is the slot's, a snapshot exported without a slot, both importable by other sessions
 * only while their session lives; and table descriptions that decode a row read with SQL into exactly the
 * row the stream delivers for it, for every kind of type.
 */
class SnapshotExportIT {

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("snapexp");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();

    private ConnectionFactory connections() {
        return new ConnectionFactory(db.host(), db.port(), db.database(), db.user(), db.password(), "disable", null);
    }

    @Test
    void createsTheSlotWithAnExportedSnapshotWhoseConsistentPointIsTheSlots() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " VALUES (1)");
        ConnectionFactory connections = connections();
        try (ExportedSnapshot snapshot = new PgSnapshotExporter(connections).createSlotWithSnapshot(capture.slot())) {
            db.execute("INSERT INTO " + table + " VALUES (2)");
            String confirmed = db.queryValue(String.class, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?",
                    capture.slot());
            assertThat(snapshot.consistentPoint()).isEqualTo(Lsn.parse(confirmed));
            assertThat(snapshot.isAlive()).isTrue();
            assertThat(idsUnder(connections, snapshot.snapshotId())).containsExactly(1);
            // the exporting session runs nothing; the walsender holds the exported snapshot in a transaction of its own
            assertThat(db.queryValue(String.class, "SELECT state FROM pg_stat_activity WHERE backend_type = 'walsender' "
                    + "AND query LIKE 'CREATE_REPLICATION_SLOT%' AND position(? IN query) > 0", capture.slot())).isEqualTo("idle in transaction");
            snapshot.close();
            assertThat(snapshot.isAlive()).isFalse();
            assertThatThrownBy(() -> idsUnder(connections, snapshot.snapshotId())).isInstanceOf(SQLException.class);
        }
        assertThatThrownBy(() -> new PgSnapshotExporter(connections).createSlotWithSnapshot(capture.slot()))
                .isInstanceOf(SourceException.class).hasMessageContaining("exists already");
    }

    @Test
    void exportsASnapshotWithoutASlot() throws Exception {
        db.execute("CREATE TABLE " + table + " (id int PRIMARY KEY)", "INSERT INTO " + table + " VALUES (1)");
        ConnectionFactory connections = connections();
        Lsn before = Lsn.parse(db.queryValue(String.class, "SELECT pg_current_wal_lsn()::text"));
        try (ExportedSnapshot snapshot = new PgSnapshotExporter(connections).exportSnapshot()) {
            db.execute("INSERT INTO " + table + " VALUES (2)");
            assertThat(snapshot.consistentPoint()).isGreaterThanOrEqualTo(before);
            assertThat(snapshot.isAlive()).isTrue();
            assertThat(idsUnder(connections, snapshot.snapshotId())).containsExactly(1);
            snapshot.close();
            assertThat(snapshot.isAlive()).isFalse();
        }
    }

    private List<Integer> idsUnder(ConnectionFactory connections, String snapshotId) throws SQLException {
        try (Connection connection = connections.open()) {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET TRANSACTION SNAPSHOT '" + snapshotId + "'");
                List<Integer> ids = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT id FROM " + table + " ORDER BY id")) {
                    while (rows.next()) {
                        ids.add(rows.getInt(1));
                    }
                }
                connection.commit();
                return ids;
            }
        }
    }

    /** Column types and, per row, a literal for each (NULL kept). */
    private static final List<String> TYPES = List.of("bool", "int2", "int4", "int8", "oid", "float4", "float8", "numeric", "money",
            "\"char\"", "char(5)", "varchar(20)", "text", "bytea", "uuid", "json", "jsonb", "xml", "date", "time", "timetz", "timestamp",
            "timestamptz", "interval", "inet", "cidr", "macaddr", "bit(4)", "varbit(8)", "%mood", "%posint", "%pair", "int4range",
            "tstzrange", "point", "tsvector", "int4[]", "text[]", "int4[][]", "numeric[]", "timestamptz[]", "%mood[]", "bytea[]");
    private static final List<List<String>> ROWS = List.of(
            List.of("true", "-32768", "2147483647", "-9223372036854775808", "4294967295", "0.1", "0.1", "123456789.000100", "-12.34",
                    "'x'", "'ab'", "'héllo'", "'line1\nline2 \"q\" \\'", "'\\x00ff10'", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'",
                    "'{\"a\": [1, 2.50]}'", "'{\"b\": {\"c\": null}}'", "'<a>x</a>'", "'2024-02-29'", "'23:59:59.999999'", "'10:00+05:30'",
                    "'2024-01-01 12:34:56.789'", "'2024-06-01 12:00:00.123456+02'", "'1 year 2 mons -3 days 04:05:06.7'", "'10.0.0.1'",
                    "'10.0.0.0/8'", "'08:00:2b:01:02:03'", "B'1010'", "B'101'", "'happy'", "42", "'(1,\"a b\")'", "'[1,5)'",
                    "'[2024-01-01 00:00+00,2024-02-01 00:00+00)'", "'(1.5,-2)'", "'fat cat'", "'{1,NULL,3}'", "'{\"a,b\",NULL,\"q\\\"x\",\"\"}'",
                    "'{{1,2},{3,4}}'", "'{1.50,NaN}'", "'{\"2024-01-01 00:00:00+00\",infinity}'", "'{happy,sad}'", "'{\"\\\\x01\"}'"),
            List.of("false", "0", "0", "0", "0", "'NaN'", "'-Infinity'", "'NaN'", "0", "'\\\\'", "''", "''", "''", "''",
                    "'00000000-0000-0000-0000-000000000000'", "'[]'", "'{}'", "'<b/>'", "'-infinity'", "'00:00'", "'00:00-12'",
                    "'infinity'", "'-infinity'", "'0'", "'::1'", "'::/0'", "'ff:ff:ff:ff:ff:ff'", "B'0000'", "B''", "'sad'", "1",
                    "'(,)'", "'empty'", "'(,)'", "'(0,0)'", "''", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'", "'{}'"),
            new ArrayList<>(java.util.Collections.nCopies(43, "NULL")));

    @Test
    void snapshotRowsDecodeToTheValuesTheStreamDelivers() throws Exception {
        String prefix = TestNames.unique("t");
        db.execute("CREATE TYPE " + prefix + "mood AS ENUM ('happy', 'sad')", "CREATE DOMAIN " + prefix + "posint AS int4 CHECK (VALUE > 0)",
                "CREATE TYPE " + prefix + "pair AS (n int, s text)");
        String full = capture.table("snapfull");
        String nokey = capture.table("snapnokey");
        try {
            for (String name : List.of(table, full, nokey)) {
                StringBuilder ddl = new StringBuilder("CREATE TABLE " + name + " (id int" + (name.equals(nokey) ? "" : " PRIMARY KEY"));
                for (int c = 0; c < TYPES.size(); c++) {
                    ddl.append(", c").append(c).append(' ').append(TYPES.get(c).replace("%", prefix));
                }
                db.execute(ddl.append(")").toString());
            }
            db.execute("ALTER TABLE " + full + " REPLICA IDENTITY FULL");
            try (SourceHarness harness = SourceHarness.start(SourceHarness.settings(capture).tables(table, full, nokey).build())) {
                List<String> inserts = new ArrayList<>();
                for (String name : List.of(table, full, nokey)) {
                    for (int r = 0; r < ROWS.size(); r++) {
                        StringBuilder insert = new StringBuilder("INSERT INTO " + name + " VALUES (" + (r + 1));
                        for (int c = 0; c < TYPES.size(); c++) {
                            String literal = ROWS.get(r).get(c).replace("%", prefix);
                            insert.append(", ").append(literal.equals("NULL") ? "NULL" : "(" + literal + ")::" + TYPES.get(c).replace("%", prefix));
                        }
                        inserts.add(insert.append(")").toString());
                    }
                }
                db.execute(inserts.toArray(String[]::new));
                List<ChangeEvent> streamed = harness.take(3 * ROWS.size(), Duration.ofSeconds(30));
                PgTableCatalog catalog = new PgTableCatalog();
                try (Connection connection = connections().open()) {
                    for (String name : List.of(table, full, nokey)) {
                        TableShape shape = catalog.describe(connection, new TableId("public", name));
                        List<ChangeEvent> ofTable = streamed.stream().filter(e -> e.table().name().equals(name)).toList();
                        assertThat(ofTable).hasSize(ROWS.size());
                        assertThat(shape.keyColumns()).as("key columns of %s", name).isEqualTo(ofTable.get(0).keyColumns());
                        List<Row> read = readAll(connection, shape, name);
                        for (int r = 0; r < ROWS.size(); r++) {
                            Row streamedRow = ofTable.get(r).after();
                            assertThat(read.get(r).columns()).as("columns of %s", name).isEqualTo(streamedRow.columns());
                            for (int c = 0; c < streamedRow.size(); c++) {
                                Object snapshotValue = read.get(r).value(c);
                                Object streamedValue = streamedRow.value(c);
                                assertThat(SameValues.same(snapshotValue, streamedValue))
                                        .as("%s row %d column %s: snapshot %s, stream %s", name, r + 1, streamedRow.column(c).name(),
                                                snapshotValue, streamedValue).isTrue();
                            }
                        }
                    }
                }
            }
        } finally {
            db.execute("DROP TABLE IF EXISTS " + table + ", " + full + ", " + nokey, "DROP TYPE IF EXISTS " + prefix + "mood, " + prefix
                    + "pair CASCADE", "DROP DOMAIN IF EXISTS " + prefix + "posint CASCADE");
        }
    }


    private static List<Row> readAll(Connection connection, TableShape shape, String name) throws SQLException {
        StringBuilder select = new StringBuilder("SELECT ");
        for (int c = 0; c < shape.columns().size(); c++) {
            select.append(c == 0 ? "" : ", ").append('"').append(shape.columns().get(c).name()).append('"');
        }
        List<Row> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(select.append(" FROM ").append(name).append(" ORDER BY id").toString())) {
            while (result.next()) {
                String[] texts = new String[shape.columns().size()];
                for (int c = 0; c < texts.length; c++) {
                    texts[c] = result.getString(c + 1);
                }
                rows.add(shape.decode(texts));
            }
        }
        return rows;
    }
}
