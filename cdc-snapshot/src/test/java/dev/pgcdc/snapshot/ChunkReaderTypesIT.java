package dev.pgcdc.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pgcdc.api.coordination.ChunkRange;
import dev.pgcdc.api.event.Row;
import dev.pgcdc.api.event.TableId;
import dev.pgcdc.api.snapshot.TableShape;
import dev.pgcdc.postgres.connection.ConnectionFactory;
import dev.pgcdc.postgres.snapshot.PgTableCatalog;
import dev.pgcdc.testkit.SameValues;
import dev.pgcdc.testkit.TestNames;
import dev.pgcdc.testkit.postgres.CaptureFixture;
import dev.pgcdc.testkit.postgres.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reader takes most values' text as the driver's raw bytes, without a String in between, and {@code bytea}
 * (whose raw bytes pgjdbc would hex-decode) through {@code getString}: its rows decode to exactly the values of
 * the same rows read as Strings and decoded with {@link TableShape#decode(String[])}, the path
 * {@code SnapshotExportIT} holds to the stream's values, for the types whose text is not plain ASCII or whose
 * driver handling differs (bytea, a domain over it, which the server describes by its base type, bytea[],
 * non-ASCII text, json, arrays, NULLs).
 */
class ChunkReaderTypesIT {

    private static final List<String> TYPES = List.of("bytea", "%bytes", "bytea[]", "text", "varchar(20)", "jsonb", "text[]",
            "timestamptz", "numeric", "\"char\"");
    private static final List<List<String>> ROWS = List.of(
            List.of("'\\x00ff10'", "'\\x5c78'", "'{\"\\\\x01\",NULL}'", "'héllo ✓ \"q\" \\'", "'ünï'", "'{\"ß\": [1, 2.50]}'",
                    "'{\"a,b\",NULL,\"é\"}'", "'2024-06-01 12:00:00.123456+02'", "'123456789.000100'", "'é'"),
            List.of("''", "''", "'{}'", "''", "''", "'{}'", "'{}'", "'-infinity'", "'NaN'", "'x'"),
            new ArrayList<>(java.util.Collections.nCopies(10, "NULL")));

    @RegisterExtension
    final CaptureFixture capture = CaptureFixture.named("readtypes");
    private final PostgresDatabase db = capture.db();
    private final String table = capture.table();
    private final ConnectionFactory connections = SnapshotFixtures.connections(db);

    @Test
    void rowsReadFromTheDriversBytesDecodeToTheValuesOfTheirText() throws Exception {
        String domain = TestNames.unique("bytes");
        db.execute("CREATE DOMAIN " + domain + " AS bytea");
        try {
            StringBuilder ddl = new StringBuilder("CREATE TABLE " + table + " (id int PRIMARY KEY");
            for (int c = 0; c < TYPES.size(); c++) {
                ddl.append(", c").append(c).append(' ').append(TYPES.get(c).replace("%bytes", domain));
            }
            db.execute(ddl.append(")").toString());
            List<String> inserts = new ArrayList<>();
            for (int r = 0; r < ROWS.size(); r++) {
                StringBuilder insert = new StringBuilder("INSERT INTO " + table + " VALUES (" + (r + 1));
                for (int c = 0; c < TYPES.size(); c++) {
                    String literal = ROWS.get(r).get(c);
                    insert.append(", ").append(literal.equals("NULL") ? "NULL" : literal + "::" + TYPES.get(c).replace("%bytes", domain));
                }
                inserts.add(insert.append(")").toString());
            }
            db.execute(inserts.toArray(String[]::new));

            List<Row> read = new ArrayList<>();
            try (ChunkReader reader = new ChunkReader(connections, new PgTableCatalog(), 2)) {
                ChunkRange everything = new ChunkRange.KeyRange(List.of("id"), List.of(), List.of());
                reader.read(new TableId("public", table), everything, Optional.empty(), Optional.empty(), (shape, row, bytes) -> read.add(row));
            }
            List<Row> asStrings = readAsStrings();

            assertThat(read).hasSize(ROWS.size());
            for (int r = 0; r < ROWS.size(); r++) {
                for (int c = 0; c < asStrings.get(r).size(); c++) {
                    Object value = read.get(r).value(c);
                    Object expected = asStrings.get(r).value(c);
                    assertThat(SameValues.same(value, expected))
                            .as("row %d column %s: read %s, as a String %s", r + 1, asStrings.get(r).column(c).name(), value, expected)
                            .isTrue();
                }
            }
            assertThat(read.get(0).value(2)).as("the domain over bytea is its bytes, not its hex text").isEqualTo(new byte[] {'\\', 'x'});
        } finally {
            db.execute("DROP TABLE IF EXISTS " + table, "DROP DOMAIN IF EXISTS " + domain);
        }
    }


    private List<Row> readAsStrings() throws Exception {
        List<Row> rows = new ArrayList<>();
        try (Connection connection = connections.open()) {
            TableShape shape = new PgTableCatalog().describe(connection, new TableId("public", table));
            try (Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
                while (result.next()) {
                    String[] texts = new String[shape.columns().size()];
                    for (int c = 0; c < texts.length; c++) {
                        texts[c] = result.getString(c + 1);
                    }
                    rows.add(shape.decode(texts));
                }
            }
        }
        return rows;
    }
}
